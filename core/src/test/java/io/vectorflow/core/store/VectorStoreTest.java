package io.vectorflow.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.TestData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorStoreTest {

    @Test
    void writesMapsAndDetectsCorruption(@TempDir Path tmp) throws Exception {
        float[][] vs = TestData.gaussian(1, 100, 7);
        VectorStore store = VectorStore.allocate(7, 150);
        for (float[] v : vs) {
            store.append(v);
        }
        Path file = tmp.resolve("vectors.f32");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            store.writeTo(ch);
        }
        assertThat(Files.size(file)).isEqualTo(64 + 100 * 7 * 4 + 4);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            VectorStore mapped = VectorStore.open(seg, true);
            assertThat(mapped.size()).isEqualTo(100);
            assertThat(mapped.dimension()).isEqualTo(7);
            for (int i = 0; i < 100; i++) {
                assertThat(mapped.get(i)).containsExactly(vs[i]);
            }
            assertThatThrownBy(() -> mapped.append(vs[0])).isInstanceOf(IllegalStateException.class);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[1000] ^= 1;
        Files.write(file, bytes);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            assertThatThrownBy(() -> VectorStore.open(seg, true)).isInstanceOf(CorruptFileException.class);
        }
    }

    @Test
    void rejectsWrongDimension() {
        VectorStore store = VectorStore.allocate(3, 1);
        assertThatThrownBy(() -> store.append(new float[2])).hasMessageContaining("dimension 2");
    }

    @Test
    void growsAsVectorsArriveAndOldBlocksStayReadable() {
        VectorStore store = VectorStore.growable(5);
        assertThat(store.capacity()).isZero();
        assertThat(store.segment().byteSize()).isZero();
        float[][] vs = TestData.gaussian(2, 1000, 5);
        store.append(vs[0]);
        MemorySegment first = store.segment();
        int firstCapacity = store.capacityOf(first);
        assertThat(firstCapacity).isBetween(1, 1000);
        for (int i = 1; i < vs.length; i++) {
            store.append(vs[i]);
        }
        assertThat(store.capacity()).isBetween(1000, 2000);
        for (int i = 0; i < vs.length; i++) {
            assertThat(store.get(i)).containsExactly(vs[i]);
        }
        // A reader that took the first block before the store grew still finds its vectors there.
        float[] v = new float[5];
        MemorySegment.copy(first, VectorStore.FLOAT, store.offset(0), v, 0, 5);
        assertThat(v).containsExactly(vs[0]);
        store.reserve(5000);
        assertThat(store.capacity()).isGreaterThanOrEqualTo(5000);
        assertThat(store.size()).isEqualTo(1000);
    }
}
