package io.vectorflow.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import io.vectorflow.storage.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The API keys of a data directory, kept hashed in {@code <data>/keys.json}; the server and the
 * {@code vectorflow keys} command share it (a key created or revoked by one is seen by the other
 * within a second).
 *
 * <p>A key reads {@code vf_<id>_<secret>}: {@code id} is 12 hex digits, {@code secret} 32 random
 * bytes in unpadded base64url. Only the SHA-256 of the whole key is stored (a key has 256 bits of
 * randomness, so a fast hash is enough; no salt or stretching is needed as it would be for a
 * password); the key itself is shown once, when it is created.
 *
 * <h2>File format</h2>
 * UTF-8 JSON, written whole to a temporary file (mode 600), forced, and moved over the old one:
 * <pre>{@code
 * {"format": 1, "keys": [{"id": "3fa9c01b77e2", "name": "ingest", "role": "read-write", "tenant": "default",
 *   "collections": {"docs": "read-write"}, "sha256": "<64 hex digits>", "created": "2026-12-02T21:50:00Z"}]}
 * }</pre>
 * {@code collections} is empty when the key reaches every collection of its tenant. Changes take
 * {@code keys.json.lock} (an OS file lock) around read, change and write, so concurrent
 * processes do not lose each other's changes.
 */
public final class ApiKeys {

    /** File name in the data directory. */
    public static final String FILE = "keys.json";
    private static final int FORMAT = 1;
    private static final String PREFIX = "vf_";
    private static final long RECHECK_NANOS = 500_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One stored key (without its secret).
     *
     * @param collections empty: every collection of the tenant
     */
    public record Key(String id, String name, Role role, String tenant, Map<String, Role> collections, String sha256,
                      Instant created) {
        /** The principal requests made with this key act as. */
        public Principal principal() {
            return new Principal(id, tenant, role, collections);
        }
    }

    /** A key just made: its record and the key itself, shown once. */
    public record Created(Key key, String secret) {}

    private final Path file;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), -1, -1);
    private volatile long checkedNanos = System.nanoTime() - RECHECK_NANOS;

    private record Snapshot(Map<String, Key> byId, long modified, long size) {}

    private ApiKeys(Path file) {
        this.file = file;
    }

    /**
     * The keys of the data directory {@code dataDir} (none yet if it has no key file).
     *
     * @throws IllegalStateException when the key file exists but cannot be read
     */
    public static ApiKeys in(Path dataDir) {
        ApiKeys keys = new ApiKeys(dataDir.resolve(FILE));
        try {
            keys.snapshot = keys.read(); // a damaged file stops the start: never serve as if there were no keys
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the API keys in " + keys.file + ": " + e.getMessage(), e);
        }
        return keys;
    }

    /** Every key, by id. */
    public List<Key> list() {
        refresh(false);
        return List.copyOf(new TreeMap<>(snapshot.byId()).values());
    }

    /** Whether there is at least one key. */
    public boolean isEmpty() {
        refresh(false);
        return snapshot.byId().isEmpty();
    }

    /** The stored key {@code presented} is, if it is one (compared by hash, in constant time). */
    public Optional<Key> find(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() < PREFIX.length() + 14) {
            return Optional.empty();
        }
        refresh(false);
        Key k = snapshot.byId().get(presented.substring(PREFIX.length(), PREFIX.length() + 12));
        if (k == null) {
            return Optional.empty();
        }
        byte[] want = HexFormat.of().parseHex(k.sha256());
        return MessageDigest.isEqual(want, sha256(presented)) ? Optional.of(k) : Optional.empty();
    }

    /**
     * Makes a key.
     *
     * @param name        a label for people (letters, digits, {@code _ - .})
     * @param collections the collections it is limited to (empty: all of its tenant's); each gets {@code role}
     * @throws IllegalArgumentException naming the field that is not valid
     */
    public Created create(String name, Role role, String tenant, List<String> collections) {
        Names.check("name", name);
        Names.check("tenant", tenant);
        Map<String, Role> limits = new LinkedHashMap<>();
        for (String c : collections) {
            limits.put(Names.collection(c), role);
        }
        if (role == Role.ADMIN && !limits.isEmpty()) {
            throw new IllegalArgumentException("collections: an admin key reaches every collection; give read-write or"
                    + " read-only to limit a key to named collections");
        }
        byte[] idBytes = new byte[6];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String id = HexFormat.of().formatHex(idBytes);
        String secret = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        Key key = new Key(id, name, role, tenant, limits, HexFormat.of().formatHex(sha256(secret)),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        change(all -> all.put(id, key));
        return new Created(key, secret);
    }

    /** Revokes the key {@code id}; returns whether there was one. */
    public boolean revoke(String id) {
        boolean[] found = new boolean[1];
        change(all -> found[0] = all.remove(id) != null);
        return found[0];
    }

    private interface Change {
        void apply(Map<String, Key> keys);
    }

    private synchronized void change(Change change) {
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel lockFile = FileChannel.open(file.resolveSibling(FILE + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                Map<String, Key> keys = new LinkedHashMap<>(read().byId());
                change.apply(keys);
                write(keys);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot change " + file + ": " + e.getMessage(), e);
        }
        refresh(true);
    }

    private void refresh(boolean now) {
        long t = System.nanoTime();
        if (!now && t - checkedNanos < RECHECK_NANOS) {
            return;
        }
        checkedNanos = t;
        try {
            if (!Files.exists(file)) {
                snapshot = new Snapshot(Map.of(), -1, -1);
                return;
            }
            long modified = Files.getLastModifiedTime(file).toMillis();
            long size = Files.size(file);
            Snapshot s = snapshot;
            if (now || modified != s.modified() || size != s.size()) {
                snapshot = read();
            }
        } catch (IOException e) {
            // keep the keys last read: a file being replaced is not a reason to lock everyone out
        }
    }

    private Snapshot read() throws IOException {
        if (!Files.exists(file)) {
            return new Snapshot(Map.of(), -1, -1);
        }
        long modified = Files.getLastModifiedTime(file).toMillis();
        byte[] bytes = Files.readAllBytes(file);
        JsonNode root = Json.MAPPER.readTree(bytes);
        if (root == null || root.path("format").asInt() != FORMAT) {
            throw new IOException(file + " is not a key file of format " + FORMAT);
        }
        Map<String, Key> keys = new LinkedHashMap<>();
        for (JsonNode k : root.path("keys")) {
            Map<String, Role> limits = new LinkedHashMap<>();
            k.path("collections").properties().forEach(e -> limits.put(e.getKey(), Role.parse(e.getValue().asText())));
            keys.put(k.path("id").asText(), new Key(k.path("id").asText(), k.path("name").asText(),
                    Role.parse(k.path("role").asText()), k.path("tenant").asText(), limits, k.path("sha256").asText(),
                    Instant.parse(k.path("created").asText())));
        }
        return new Snapshot(Map.copyOf(keys), modified, bytes.length);
    }

    private void write(Map<String, Key> keys) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode list = root.putArray("keys");
        for (Key k : keys.values()) {
            ObjectNode n = list.addObject();
            n.put("id", k.id());
            n.put("name", k.name());
            n.put("role", k.role().label());
            n.put("tenant", k.tenant());
            ObjectNode cs = n.putObject("collections");
            k.collections().forEach((c, r) -> cs.put(c, r.label()));
            n.put("sha256", k.sha256());
            n.put("created", k.created().toString());
        }
        Path tmp = file.resolveSibling("." + FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be forced
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys as a list of plain fields (no hashes), for answers and the command line. */
    public static List<Map<String, Object>> describe(List<Key> keys) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Key k : keys) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", k.id());
            m.put("name", k.name());
            m.put("role", k.role().label());
            m.put("tenant", k.tenant());
            Map<String, String> cs = new LinkedHashMap<>();
            k.collections().forEach((c, r) -> cs.put(c, r.label()));
            m.put("collections", cs);
            m.put("created", k.created().toString());
            out.add(m);
        }
        return out;
    }
}
