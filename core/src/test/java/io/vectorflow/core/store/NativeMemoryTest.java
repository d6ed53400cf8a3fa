package io.vectorflow.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

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
    void refusesBadArguments() {
        assertThatThrownBy(() -> NativeMemory.allocate(-1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeMemory.allocate(100, 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
