package io.vectorflow.storage.segment;

import io.vectorflow.core.store.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The payloads (UTF-8 JSON) of a mutable segment, off the heap: appended into blocks of native
 * memory that never move, each payload in one block, with a position and a length per ordinal
 * on the heap (12 bytes a point). Blocks start at 64 KiB and double up to 8 MiB; a larger
 * payload gets a block of its own. Nothing is allocated before the first payload.
 *
 * <p>One writer, lock-free readers, as {@link IdTable}: {@link #reserve} allocates, {@link #set}
 * only copies into reserved room; the per-ordinal arrays and the block list are published
 * through volatile fields, and a reader only asks for ordinals the segment has made visible
 * after setting them.
 */
final class PayloadArena {

    private static final long FIRST_BLOCK = 64 << 10;
    private static final long MAX_BLOCK = 8 << 20;
    private static final int OFFSET_BITS = 40;

    /** Where each ordinal's payload lies ({@code block << 40 | offset}) and how long it is. */
    private record Index(long[] where, int[] length) {
        int capacity() {
            return length.length;
        }
    }

    private volatile Index index = new Index(new long[0], new int[0]);
    private volatile MemorySegment[] blocks = new MemorySegment[0];
    /** Bytes used in the last block (writer only). */
    private long used;
    /** Payload bytes stored. */
    private volatile long bytes;

    /**
     * Makes room for ordinals below {@code ordinals} and for {@code payloadBytes} more bytes in
     * one block, so the {@link #set} calls up to there allocate nothing.
     *
     * @throws OutOfMemoryError when the room cannot be had; the arena is unchanged
     */
    void reserve(int ordinals, long payloadBytes) {
        Index ix = index;
        MemorySegment[] bs = blocks;
        MemorySegment last = bs.length == 0 ? null : bs[bs.length - 1];
        MemorySegment block = null;
        if (payloadBytes > 0 && (last == null || last.byteSize() - used < payloadBytes)) {
            long size = last == null ? FIRST_BLOCK : Math.min(MAX_BLOCK, 2 * last.byteSize());
            block = NativeMemory.allocate(Math.max(size, payloadBytes), 8);
        }
        Index grown = ix;
        if (ordinals > ix.capacity()) {
            int capacity = Math.max(ordinals, ix.capacity() < 64 ? 64 : ix.capacity() + (ix.capacity() >> 1));
            grown = new Index(Arrays.copyOf(ix.where, capacity), Arrays.copyOf(ix.length, capacity));
        }
        if (block != null) {
            MemorySegment[] next = Arrays.copyOf(bs, bs.length + 1);
            next[bs.length] = block;
            blocks = next;
            used = 0;
        }
        index = grown;
    }

    /** Stores the payload of {@code ordinal} (room reserved). */
    void set(int ordinal, byte[] payload) {
        Index ix = index;
        ix.length[ordinal] = payload.length;
        if (payload.length == 0) {
            ix.where[ordinal] = 0;
            return;
        }
        MemorySegment[] bs = blocks;
        int b = bs.length - 1;
        MemorySegment.copy(payload, 0, bs[b], ValueLayout.JAVA_BYTE, used, payload.length);
        ix.where[ordinal] = (long) b << OFFSET_BITS | used;
        used += payload.length;
        bytes += payload.length;
    }

    /** The payload of a stored ordinal (an empty array for none). */
    byte[] get(int ordinal) {
        Index ix = index;
        int length = ix.length[ordinal];
        if (length == 0) {
            return new byte[0];
        }
        long where = ix.where[ordinal];
        MemorySegment block = blocks[(int) (where >>> OFFSET_BITS)];
        return block.asSlice(where & ((1L << OFFSET_BITS) - 1), length).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Length of the payload of a stored ordinal. */
    int length(int ordinal) {
        return index.length[ordinal];
    }

    /** Payload bytes stored. */
    long bytes() {
        return bytes;
    }

    /** Bytes held: blocks and the per-ordinal arrays. */
    long bytesHeld() {
        long total = 12L * index.capacity();
        for (MemorySegment b : blocks) {
            total += b.byteSize();
        }
        return total;
    }
}
