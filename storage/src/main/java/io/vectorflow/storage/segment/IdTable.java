package io.vectorflow.storage.segment;

import io.vectorflow.storage.PointId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The ids of a mutable segment's points, by ordinal, and a hash lookup from an id to the newest
 * ordinal holding it. About 25 bytes a point (an id's 17 bytes in three primitive columns, plus
 * two 4-byte hash slots per id), nothing until the first point arrives.
 *
 * <p>One writer, lock-free readers. The writer reserves room first ({@link #reserve}, the only
 * call that allocates), then sets columns and hash slots in place. The columns and the slot array
 * are each published through a volatile field when they grow; a slot is written with release
 * semantics after the columns it points at, and a reader loads the columns after the slot, so
 * every ordinal a reader finds in a slot is in the columns it reads. A reader holding an older
 * slot array may miss an id added since, never sees a wrong one.
 */
final class IdTable {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[].class);

    /** The columns of one capacity: kind (0 number, 1 UUID) and the two 64-bit halves. */
    private record Columns(byte[] kind, long[] msb, long[] lsb) {
        int capacity() {
            return kind.length;
        }
    }

    private volatile Columns columns = new Columns(new byte[0], new long[0], new long[0]);
    /** Open addressing with linear probing; a slot holds ordinal + 1, or 0 when empty. */
    private volatile int[] slots = new int[0];
    /** Distinct ids in the slots (writer only). */
    private int ids;

    /**
     * Makes room for ordinals below {@code ordinals} and for {@code newIds} more distinct ids, so
     * the {@link #set} and {@link #index} calls up to there allocate nothing.
     *
     * @throws OutOfMemoryError when the room cannot be had; the table is unchanged
     */
    void reserve(int ordinals, int newIds) {
        Columns c = columns;
        if (ordinals > c.capacity()) {
            int capacity = Math.max(ordinals, c.capacity() < 64 ? 64 : c.capacity() + (c.capacity() >> 1));
            columns = new Columns(Arrays.copyOf(c.kind, capacity), Arrays.copyOf(c.msb, capacity),
                    Arrays.copyOf(c.lsb, capacity));
        }
        long needed = 2L * (ids + (long) newIds); // load factor at most one half
        if (needed > slots.length) {
            int size = Integer.highestOneBit((int) Math.min(1 << 30, Math.max(16, needed - 1))) << 1;
            rehash(size);
        }
    }

    private void rehash(int size) {
        int[] next = new int[size];
        Columns c = columns;
        for (int v : slots) {
            if (v != 0) {
                int ord = v - 1;
                int i = slotOf(c.kind[ord], c.msb[ord], c.lsb[ord], size);
                while (next[i] != 0) {
                    i = (i + 1) & (size - 1);
                }
                next[i] = v;
            }
        }
        slots = next;
    }

    /** Writes the id of {@code ordinal} (room reserved); not yet findable by {@link #lookup}. */
    void set(int ordinal, PointId id) {
        Columns c = columns;
        c.kind[ordinal] = (byte) (id.uuid() ? 1 : 0);
        c.msb[ordinal] = id.msb();
        c.lsb[ordinal] = id.lsb();
    }

    /** Makes {@code ordinal} the one {@link #lookup} finds for its id (room reserved). */
    void index(int ordinal) {
        Columns c = columns;
        int[] table = slots;
        byte kind = c.kind[ordinal];
        long msb = c.msb[ordinal];
        long lsb = c.lsb[ordinal];
        int i = slotOf(kind, msb, lsb, table.length);
        while (true) {
            int v = (int) SLOT.getAcquire(table, i);
            if (v == 0) {
                ids++;
                SLOT.setRelease(table, i, ordinal + 1);
                return;
            }
            int o = v - 1;
            if (c.kind[o] == kind && c.msb[o] == msb && c.lsb[o] == lsb) {
                SLOT.setRelease(table, i, ordinal + 1); // a newer version of the same id
                return;
            }
            i = (i + 1) & (table.length - 1);
        }
    }

    /** The newest ordinal indexed for {@code id} (deleted or not), or -1. */
    int lookup(PointId id) {
        int[] table = slots;
        if (table.length == 0) {
            return -1;
        }
        byte kind = (byte) (id.uuid() ? 1 : 0);
        int i = slotOf(kind, id.msb(), id.lsb(), table.length);
        while (true) {
            int v = (int) SLOT.getAcquire(table, i);
            if (v == 0) {
                return -1;
            }
            Columns c = columns; // after the slot: holds every ordinal a slot names
            int o = v - 1;
            if (c.kind[o] == kind && c.msb[o] == id.msb() && c.lsb[o] == id.lsb()) {
                return o;
            }
            i = (i + 1) & (table.length - 1);
        }
    }

    /** The id of an ordinal already {@link #set}. */
    PointId id(int ordinal) {
        Columns c = columns;
        return new PointId(c.kind[ordinal] == 1, c.msb[ordinal], c.lsb[ordinal]);
    }

    /** Compares the ids of two ordinals in {@link PointId} order. */
    int compare(int a, int b) {
        return id(a).compareTo(id(b));
    }

    /** Bytes held (columns and slots). */
    long bytes() {
        return 17L * columns.capacity() + 4L * slots.length;
    }

    private static int slotOf(byte kind, long msb, long lsb, int size) {
        long h = msb * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(lsb * 0xC2B2AE3D27D4EB4FL, 31) ^ kind;
        h ^= h >>> 29;
        return (int) h & (size - 1);
    }
}
