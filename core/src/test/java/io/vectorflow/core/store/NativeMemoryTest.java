package io.vectorflow.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeMemoryTest {

    private static void assertZeroedWritableAndAligned(MemorySegment seg, long bytes, long alignment) {
        assertThat(seg.byteSize()).isEqualTo(bytes);
        assertThat(seg.address() % alignment).isZero();
        for (long off = 0; off < bytes; off += 4096) {
            assertThat(seg.get(ValueLayout.JAVA_INT, off)).isZero();
        }
        seg.set(ValueLayout.JAVA_LONG, bytes - 8, 0x1234_5678_9ABCL);
        assertThat(seg.get(ValueLayout.JAVA_LONG, bytes - 8)).isEqualTo(0x1234_5678_9ABCL);
    }

    @Test
    void largeBlocksAreZeroedWritableAndAligned() {
        long bytes = NativeMemory.HUGE_PAGE_THRESHOLD + 12_345 * 8;
        assertZeroedWritableAndAligned(NativeMemory.allocate(bytes, 64), bytes, 64);
    }

    @Test
    void smallBlocksToo() {
        assertZeroedWritableAndAligned(NativeMemory.allocate(4096, 64), 4096, 64);
    }

    @Test
    void garbageBlocksAreCountedAndFreedWithoutAnyoneAskingForACollection() throws InterruptedException {
        long before = NativeMemory.liveBytes();
        MemorySegment kept = NativeMemory.allocate(1000, 64);
        assertThat(NativeMemory.liveBytes() - before).isGreaterThanOrEqualTo(1000);
        // 1 GiB of 16 MiB blocks dropped at once, and almost no heap garbage to make a collection happen.
        for (int i = 0; i < 64; i++) {
            NativeMemory.allocate(16L << 20, 64).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (NativeMemory.liveBytes() - before > (512L << 20) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            NativeMemory.allocate(16L << 20, 64); // the allocations that notice and ask
        }
        assertThat(NativeMemory.liveBytes() - before).as("native bytes still held").isLessThan(512L << 20);
        assertThat(kept.byteSize()).isEqualTo(1000);
    }

    @Test
    void manyLargeBlocksAreReleasedWhenUnreachable() {
        // 64 × 8 MiB = 512 MiB allocated and dropped: only works if unreachable blocks are unmapped.
        for (int i = 0; i < 64; i++) {
            MemorySegment seg = NativeMemory.allocate(8L << 20, 64);
            seg.set(ValueLayout.JAVA_BYTE, seg.byteSize() - 1, (byte) 1);
            if (i % 8 == 7) {
                System.gc();
            }
        }
    }

    @Test
    void nativeViewOfAMappingSharesMemoryLifetimeAndClass(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("block");
        Files.write(file, new byte[8192]);
        MemorySegment view;
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192, arena);
            view = NativeMemory.nativeView(mapped);
            assertThat(view.getClass()).isEqualTo(NativeMemory.allocate(64, 64).getClass())
                    .isEqualTo(NativeMemory.allocate(NativeMemory.HUGE_PAGE_THRESHOLD, 64).getClass());
            assertThat(view.address()).isEqualTo(mapped.address());
            view.set(ValueLayout.JAVA_INT, 100, 77);
            assertThat(mapped.get(ValueLayout.JAVA_INT, 100)).isEqualTo(77);
            assertThat(NativeMemory.nativeView(mapped.asReadOnly()).isReadOnly()).isTrue();
        }
        // The view dies with the mapping's arena: an access after close throws instead of crashing.
        MemorySegment closed = view;
        assertThatThrownBy(() -> closed.get(ValueLayout.JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> NativeMemory.nativeView(MemorySegment.ofArray(new int[4])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> NativeMemory.allocate(-1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeMemory.allocate(100, 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
