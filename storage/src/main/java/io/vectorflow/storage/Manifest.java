package io.vectorflow.storage;

import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The one file that says which sealed segments make up a collection. It is replaced atomically
 * (temporary file, force, rename, directory force), so after a crash it names either the old set
 * of segments or the new one; files it does not name are leftovers and are deleted at open.
 *
 * <h2>Format: UTF-8 text, one field per line</h2>
 * <pre>
 * vectorflow-manifest 1
 * generation 7              (increases with every publish)
 * sealed-through 120000     (every WAL record up to this sequence number is in the segments)
 * next-segment 4            (number for the next segment directory)
 * segment 1 100000 deletes-6.bin    (number, point count, delete-bits file or "-")
 * segment 3 20000 - object=c/docs/3-9f2c41d07a3b6e58
 *                           (a segment in the object tier: its float vectors files are objects
 *                            under this key prefix; every other file of it is local)
 * segment 5 20000 - archive=c/docs/5-3b6e589f2c41d07a
 *                           (a segment in the archive tier: its vectors files are zstd-compressed
 *                            objects, {@code <file>.zst}, restored before it is searched)
 * crc32c 1a2b3c4d           (CRC32C of every byte before this line, hexadecimal)
 * </pre>
 *
 * @param generation    publish counter
 * @param sealedThrough highest WAL sequence number contained in the segments
 * @param nextSegment   number the next sealed segment gets
 * @param segments      the sealed segments, oldest first
 */
public record Manifest(long generation, long sealedThrough, long nextSegment, List<Entry> segments) {

    public static final String FILE = "MANIFEST";
    private static final String HEADER = "vectorflow-manifest 1";
    private static final java.util.regex.Pattern DELETES = java.util.regex.Pattern.compile("deletes-\\d{1,18}\\.bin");

    private static final java.util.regex.Pattern OBJECT_PREFIX = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    /**
     * One sealed segment: its number, point count, delete-bits file (null for none), the key
     * prefix of its vectors in object storage (null while they are local), and whether they are
     * archived there (compressed; restored before a search) rather than read in ranges.
     */
    public record Entry(long number, int count, String deletesFile, String objectPrefix, boolean archived) {
        /** A segment whose files are all local. */
        public Entry(long number, int count, String deletesFile) {
            this(number, count, deletesFile, null, false);
        }
    }

    public Manifest {
        segments = List.copyOf(segments);
    }

    /** The manifest of a collection with no sealed segments yet. */
    public static Manifest empty() {
        return new Manifest(0, 0, 1, List.of());
    }

    /** Reads {@code dir/MANIFEST}, or returns {@link #empty()} when there is none. */
    public static Manifest read(Path dir) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return empty();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcLine = text.lastIndexOf("crc32c ");
        String where = dir.resolve(FILE).toString();
        if (!text.startsWith(HEADER + "\n") || crcLine < 0) {
            throw new CorruptFileException(where + ": not a VectorFlow manifest");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8).length);
        if (!text.substring(crcLine + 7).trim().equals(Long.toHexString(crc.getValue()))) {
            throw new CorruptFileException(where + ": checksum mismatch (the file is damaged)");
        }
        long generation = 0, sealedThrough = 0, next = 1;
        List<Entry> segments = new ArrayList<>();
        try {
            for (String line : text.substring(HEADER.length() + 1, crcLine).split("\n")) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "generation" -> generation = Long.parseLong(f[1]);
                    case "sealed-through" -> sealedThrough = Long.parseLong(f[1]);
                    case "next-segment" -> next = Long.parseLong(f[1]);
                    case "segment" -> segments.add(new Entry(Long.parseLong(f[1]), Integer.parseInt(f[2]),
                            f[3].equals("-") ? null : f[3], f.length > 4 ? tierPrefix(f[4]) : null,
                            f.length > 4 && f[4].startsWith("archive=")));
                    default -> throw new CorruptFileException(where + ": unknown line '" + line + "'");
                }
            }
        } catch (RuntimeException e) {
            throw new CorruptFileException(where + ": malformed (" + e.getMessage() + ")");
        }
        // The names and numbers become paths and future file names: hold them to what we write.
        java.util.Set<Long> numbers = new java.util.HashSet<>();
        for (Entry e : segments) {
            if (e.number() < 1 || e.number() >= next || !numbers.add(e.number()) || e.count() < 0) {
                throw new CorruptFileException(where + ": bad segment entry " + e.number());
            }
            if (e.deletesFile() != null && !(DELETES.matcher(e.deletesFile()).matches()
                    && Long.parseLong(e.deletesFile().substring(8, e.deletesFile().length() - 4)) <= generation)) {
                throw new CorruptFileException(where + ": bad delete file name for segment " + e.number());
            }
            if (e.objectPrefix() != null && (!OBJECT_PREFIX.matcher(e.objectPrefix()).matches()
                    || e.objectPrefix().contains("..") || e.objectPrefix().length() > 512)) {
                throw new CorruptFileException(where + ": bad object prefix for segment " + e.number());
            }
        }
        if (generation < 0 || sealedThrough < 0) {
            throw new CorruptFileException(where + ": negative generation or sequence number");
        }
        return new Manifest(generation, sealedThrough, next, segments);
    }

    /** The prefix of an {@code object=} or {@code archive=} field. */
    private static String tierPrefix(String field) {
        if (field.startsWith("object=")) {
            return field.substring(7);
        }
        if (field.startsWith("archive=")) {
            return field.substring(8);
        }
        throw new IllegalArgumentException("unknown segment field '" + field + "'");
    }

    /** Publishes this manifest as {@code dir/MANIFEST}, atomically and durably. */
    public void write(Disk disk, Path dir) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n')
                .append("generation ").append(generation).append('\n')
                .append("sealed-through ").append(sealedThrough).append('\n')
                .append("next-segment ").append(nextSegment).append('\n');
        for (Entry e : segments) {
            sb.append("segment ").append(e.number()).append(' ').append(e.count()).append(' ')
                    .append(e.deletesFile() == null ? "-" : e.deletesFile());
            if (e.objectPrefix() != null) {
                sb.append(e.archived() ? " archive=" : " object=").append(e.objectPrefix());
            }
            sb.append('\n');
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] tail = ("crc32c " + Long.toHexString(crc.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
        disk.writeAtomically(dir.resolve(FILE), ByteBuffer.allocate(body.length + tail.length).put(body).put(tail).flip());
    }

    /**
     * Deletes what a crash can leave in {@code dir} beside this manifest: its unfinished copy,
     * unfinished segment directories, and segments and delete files it does not name.
     */
    void removeLeftovers(Disk disk, Path dir) throws IOException {
        disk.delete(dir.resolve(FILE + ".tmp"));
        Path segments = dir.resolve("segments");
        if (!Files.isDirectory(segments)) {
            return;
        }
        Set<String> named = new HashSet<>();
        Set<String> deletes = new HashSet<>();
        Set<String> cold = new HashSet<>();
        for (Manifest.Entry e : segments()) {
            named.add(Long.toString(e.number()));
            if (e.objectPrefix() != null) {
                cold.add(Long.toString(e.number()));
            }
            if (e.deletesFile() != null) {
                deletes.add(e.number() + "/" + e.deletesFile());
            }
        }
        try (Stream<Path> s = Files.list(segments)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!named.contains(name)) {
                    disk.deleteTree(p);
                    continue;
                }
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.toList()) {
                        String fn = f.getFileName().toString();
                        // a segment moved to the object tier may leave its local vectors files
                        // behind (a crash after the manifest named the objects)
                        boolean movedAway = cold.contains(name) && fn.startsWith("vectors");
                        if (fn.startsWith("deletes-") && !deletes.contains(name + "/" + fn) || fn.endsWith(".tmp") || movedAway) {
                            disk.delete(f);
                        }
                    }
                }
            }
        }
    }
}
