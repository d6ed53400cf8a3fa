package io.vectorflow.tier.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.storage.object.LocalObjectStore;
import io.vectorflow.storage.object.ObjectNotFoundException;
import io.vectorflow.storage.object.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The object-store contract, the same for the local directory and for S3 through a real
 * s3proxy (in this JVM, under a key prefix, and as its own process, which the last test kills
 * to see a clear error instead of a hang).
 */
class ObjectStoresTest {

    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The contract, on one store. */
    static void contract(ObjectStore store, Path scratch) throws IOException {
        byte[] big = random(5 << 20, 1);
        Path file = Files.write(scratch.resolve("segment.vec"), big);
        store.put("collections/docs/segments/000001/vectors.vec", file);
        store.put("collections/docs/segments/000001/graph.hnsw", random(1000, 2));
        store.put("collections/docs/segments/000002/vectors.vec", random(10, 3));
        store.put("collections/other/manifest.json", "{}".getBytes());

        assertThat(bytes(store.read("collections/docs/segments/000001/vectors.vec", 1_234_567, 4096)))
                .isEqualTo(Arrays.copyOfRange(big, 1_234_567, 1_234_567 + 4096));
        assertThat(bytes(store.read("collections/docs/segments/000001/vectors.vec", big.length - 10, 100)))
                .as("a range past the end is cut at the end").isEqualTo(Arrays.copyOfRange(big, big.length - 10, big.length));
        assertThat(store.read("collections/docs/segments/000001/vectors.vec", big.length + 5, 100).remaining()).isZero();
        Path copy = scratch.resolve("copy.vec");
        store.download("collections/docs/segments/000001/vectors.vec", copy);
        assertThat(Files.readAllBytes(copy)).isEqualTo(big);

        assertThat(store.list("collections/docs/").stream().map(ObjectStore.ObjectInfo::key).toList()).containsExactly(
                "collections/docs/segments/000001/graph.hnsw", "collections/docs/segments/000001/vectors.vec",
                "collections/docs/segments/000002/vectors.vec");
        assertThat(store.list("").size()).isEqualTo(4);
        assertThat(store.list("collections/none/")).isEmpty();
        assertThat(store.stat("collections/docs/segments/000001/graph.hnsw")).contains(
                new ObjectStore.ObjectInfo("collections/docs/segments/000001/graph.hnsw", 1000));

        // a put replaces the whole object
        store.put("collections/docs/segments/000002/vectors.vec", random(20, 4));
        assertThat(bytes(store.read("collections/docs/segments/000002/vectors.vec", 0, 100))).isEqualTo(random(20, 4));

        assertThat(store.delete("collections/docs/segments/000002/vectors.vec")).isTrue();
        assertThat(store.delete("collections/docs/segments/000002/vectors.vec")).isFalse();
        assertThat(store.stat("collections/docs/segments/000002/vectors.vec")).isEmpty();
        assertThatThrownBy(() -> store.read("collections/docs/segments/000002/vectors.vec", 0, 10))
                .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("000002");
        assertThatThrownBy(() -> store.download("nothing/here", scratch.resolve("none"))).isInstanceOf(ObjectNotFoundException.class);
        assertThat(scratch.resolve("none")).doesNotExist();
        for (String bad : List.of("../escape", "/absolute", "a//b", "a/./b", "spaces in it", "")) {
            assertThatThrownBy(() -> store.put(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("object key");
        }
    }

    @Test
    void aLocalDirectory() throws Exception {
        try (LocalObjectStore store = new LocalObjectStore(dir.resolve("objects"))) {
            contract(store, Files.createDirectories(dir.resolve("scratch")));
            // a put interrupted by a crash leaves a temporary file that is never listed
            Files.write(dir.resolve("objects/collections/docs/.vectors.vec.1234.part"), new byte[3]);
            assertThat(store.list("collections/docs/").stream().map(ObjectStore.ObjectInfo::key))
                    .noneMatch(k -> k.contains(".part"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cluster-a/"})
    void s3ThroughS3ProxyInThisJvm(String prefix) throws Exception {
        try (S3Servers.InProcess s3 = S3Servers.inProcess(dir.resolve("blobs"), prefix);
             S3ObjectStore store = new S3ObjectStore(s3.settings())) {
            contract(store, Files.createDirectories(dir.resolve("scratch")));
            assertThat(store.describe()).contains("s3://segments/" + prefix);
        }
    }

    @Test
    void s3ThroughS3ProxyAsItsOwnProcessAndAClearErrorWhenItDies() throws Exception {
        int port = S3Servers.freePort();
        Process proxy = S3Servers.process(dir.resolve("blobs"), port);
        try (S3ObjectStore store = new S3ObjectStore(S3Servers.settings(port, "", Duration.ofSeconds(3)))) {
            contract(store, Files.createDirectories(dir.resolve("scratch")));
            store.put("k/v", random(100, 9));
            proxy.destroyForcibly().waitFor();
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.read("k/v", 0, 10)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(ObjectNotFoundException.class).hasMessageContaining("s3://segments/").hasMessageContaining("read 'k/v'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to the error").isLessThan(Duration.ofSeconds(10));
        } finally {
            proxy.destroyForcibly();
        }
    }
}
