package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.storage.crypto.Encryption;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest: with a key, the log's records and snapshot archives hold no readable
 * payload; without the key the collection does not open and the snapshot is refused, both
 * saying why; with a wrong key neither reads; with the key both read back every point.
 */
class EncryptionTest {

    private static final String SECRET = "a-payload-nobody-may-read";

    @TempDir
    Path dir;

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private static Database.Options with(byte[] key) {
        return Database.Options.defaults().withEncryption(key == null ? null : Encryption.withKey(key));
    }

    private static List<Point> points() {
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            out.add(Point.of(i, new float[] {i, 1, 0, 1}, Map.of("note", SECRET + i)));
        }
        return out;
    }

    private static boolean anyFileHolds(Path root, String text) throws Exception {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                outer:
                for (int i = 0; i + needle.length <= b.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (b[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void logsAreUnreadableWithoutTheKeyAndReadBackWithIt() throws Exception {
        byte[] key = key();
        Path wal;
        Database first = Database.open(dir, with(key));
        first.createCollection(CollectionConfig.of("docs", 4, "dot")).upsert(points());
        wal = dir.resolve("tenants/default/collections/docs/wal");
        first.close(java.time.Duration.ZERO); // nothing sealed: the points stay in the log alone
        // Points not yet sealed live only in the log: it must not show them.
        assertThat(anyFileHolds(wal, SECRET)).isFalse();
        try (Database db = Database.open(dir)) {
            assertThat(db.failedCollections().get("docs")).contains("encrypted").contains("--encryption-key-file");
        }
        try (Database db = Database.open(dir, with(key()))) {
            assertThat(db.failedCollections().get("docs")).contains("does not decrypt");
        }
        try (Database db = Database.open(dir, with(key))) {
            Collection c = db.collection("docs");
            assertThat(c.count(null)).isEqualTo(200);
            assertThat(c.get(List.of(io.vectorflow.storage.PointId.of(7)), true, false).getFirst().payload().toString())
                    .contains(SECRET + 7);
        }
    }

    @Test
    void snapshotsAreUnreadableWithoutTheKeyAndRestoreWithIt() throws Exception {
        byte[] key = key();
        Path archive;
        try (Database db = Database.open(dir.resolve("a"), with(key))) {
            Collection c = db.createCollection(CollectionConfig.of("docs", 4, "dot"));
            c.upsert(points());
            c.store().flush(); // sealed: the points are in segment files, which the archive carries
            archive = db.createSnapshot("docs", "s1");
        }
        assertThat(anyFileHolds(archive.getParent(), SECRET)).isFalse();
        assertThat(anyFileHolds(archive.getParent(), "collection.json")).as("not even the tar's file names").isFalse();
        try (Database db = Database.open(dir.resolve("b")); InputStream in = Files.newInputStream(archive)) {
            assertThatThrownBy(() -> db.restoreSnapshot(in, "docs")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("encrypted");
        }
        try (Database db = Database.open(dir.resolve("c"), with(key())); InputStream in = Files.newInputStream(archive)) {
            assertThatThrownBy(() -> db.restoreSnapshot(in, "docs")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not decrypt");
        }
        try (Database db = Database.open(dir.resolve("d"), with(key)); InputStream in = Files.newInputStream(archive)) {
            Collection c = db.restoreSnapshot(in, "docs");
            assertThat(c.count(null)).isEqualTo(200);
            assertThat(c.search(SearchRequest.of(new float[] {199, 1, 0, 1}, 1).withPayload(true)).points().getFirst()
                    .payload().toString()).contains(SECRET + 199);
        }
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 1;
        Path damaged = dir.resolve("damaged.snapshot");
        Files.write(damaged, bytes);
        try (Database db = Database.open(dir.resolve("e"), with(key)); InputStream in = Files.newInputStream(damaged)) {
            assertThatThrownBy(() -> db.restoreSnapshot(in, "docs")).isInstanceOf(IllegalArgumentException.class);
        }
        Path cut = dir.resolve("cut.snapshot");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(archive), (int) Files.size(archive) - 100));
        try (Database db = Database.open(dir.resolve("f"), with(key)); InputStream in = Files.newInputStream(cut)) {
            assertThatThrownBy(() -> db.restoreSnapshot(in, "docs")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
