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
    void rejectsWrongDimensionAndOverflow() {
        VectorStore store = VectorStore.allocate(3, 1);
        assertThatThrownBy(() -> store.append(new float[2])).hasMessageContaining("dimension 2");
        store.append(new float[3]);
        assertThatThrownBy(() -> store.append(new float[3])).hasMessageContaining("full");
    }
}
