package io.vectorflow.storage;

import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.storage.segment.VectorLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead-log records of a collection: what {@link CollectionStore} appends and replays.
 * The log itself ({@link io.vectorflow.storage.wal.WriteAheadLog}) frames and checksums them.
 *
 * <h2>Formats (little-endian)</h2>
 * <pre>
 * id      = u8 kind (0 number, 1 UUID) · u64 high bits · u64 low bits                 (17 bytes)
 * UPSERT  = u8 1 · u32 count n · u32 dimension d ·
 *           n × (id · d × f32 vector as given · u32 payload length p · p bytes UTF-8 JSON)
 * DELETE  = u8 2 · u32 count n · n × id
 * ABORT   = u8 3 · u64 sequence number of an earlier record that was not applied
 * VECTORS = u8 4 · u32 count n · u8 dense slots D · u8 sparse slots S · D × u32 dimension ·
 *           n × (id · D × (u8 present · d × f32 if present) ·
 *                S × (i32 entries e, -1 when absent · e × u32 dimension id · e × f32 value) ·
 *                u32 payload length p · p bytes UTF-8 JSON)
 * </pre>
 * VECTORS is the upsert of a collection whose points carry more than one kind of vector, or may
 * lack one ({@link io.vectorflow.storage.segment.VectorLayout}); a collection of one dense vector
 * writes UPSERT.
 * An ABORT is written when a record reached the log but could not be applied (memory ran out
 * while making room for it): replay skips the record it names, so the write that was refused
 * never takes effect later either.
 */
final class Records {

    static final byte UPSERT = 1;
    static final byte DELETE = 2;
    static final byte ABORT = 3;
    static final byte VECTORS = 4;
    static final int ID_BYTES = 17;

    private Records() {}

    /** The record type of a record. */
    static byte type(ByteBuffer record) {
        return record.get(record.position());
    }

    /** An UPSERT (or, for a layout of several vectors, a VECTORS record) of {@code points}. */
    static ByteBuffer upsert(List<PointRecord> points, VectorLayout layout, int maxBytes) {
        if (!layout.single()) {
            return vectors(points, layout, maxBytes);
        }
        int dim = layout.dense().getFirst().dimension();
        long size = 9;
        for (PointRecord p : points) {
            checkDimension(p, 0, p.vector(), dim);
            size += ID_BYTES + 4L * dim + 4 + p.payload().length;
        }
        ByteBuffer b = allocate(size, maxBytes);
        b.put(UPSERT).putInt(points.size()).putInt(dim);
        for (PointRecord p : points) {
            putId(b, p.id());
            putFloats(b, p.vector());
            b.putInt(p.payload().length).put(p.payload());
        }
        return b.flip();
    }

    private static ByteBuffer vectors(List<PointRecord> points, VectorLayout layout, int maxBytes) {
        int slots = layout.dense().size();
        long size = 7 + 4L * slots;
        for (PointRecord p : points) {
            size += ID_BYTES + slots + 4L * layout.sparse() + 4 + p.payload().length;
            for (int i = 0; i < slots; i++) {
                float[] v = p.dense(i);
                if (v != null) {
                    checkDimension(p, i, v, layout.dense().get(i).dimension());
                    size += 4L * v.length;
                }
            }
            for (int j = 0; j < layout.sparse(); j++) {
                SparseVector v = p.sparse(j);
                size += v == null ? 0 : 8L * v.size();
            }
        }
        ByteBuffer b = allocate(size, maxBytes);
        b.put(VECTORS).putInt(points.size()).put((byte) slots).put((byte) layout.sparse());
        layout.dense().forEach(d -> b.putInt(d.dimension()));
        for (PointRecord p : points) {
            putId(b, p.id());
            for (int i = 0; i < slots; i++) {
                float[] v = p.dense(i);
                b.put((byte) (v == null ? 0 : 1));
                if (v != null) {
                    putFloats(b, v);
                }
            }
            for (int j = 0; j < layout.sparse(); j++) {
                SparseVector v = p.sparse(j);
                if (v == null) {
                    b.putInt(-1);
                } else {
                    b.putInt(v.size());
                    b.asIntBuffer().put(v.indices());
                    b.position(b.position() + 4 * v.size());
                    putFloats(b, v.values());
                }
            }
            b.putInt(p.payload().length).put(p.payload());
        }
        return b.flip();
    }

    private static void checkDimension(PointRecord p, int slot, float[] v, int dim) {
        if (v == null || v.length != dim) {
            throw new IllegalArgumentException("point " + p.id() + ": vector " + slot + " has dimension "
                    + (v == null ? "none" : v.length) + ", the collection has " + dim);
        }
    }

    private static ByteBuffer allocate(long size, int maxBytes) {
        if (size > maxBytes) {
            throw new IllegalArgumentException("batch of " + size + " bytes is over the limit of " + maxBytes);
        }
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putFloats(ByteBuffer b, float[] v) {
        b.asFloatBuffer().put(v); // bulk copy; the view shares b's byte order
        b.position(b.position() + 4 * v.length);
    }

    private static float[] getFloats(ByteBuffer b, int n) {
        float[] v = new float[n];
        b.asFloatBuffer().get(v);
        b.position(b.position() + 4 * n);
        return v;
    }

    /** A DELETE of {@code ids}. */
    static ByteBuffer delete(List<PointId> ids, int maxBytes) {
        long size = 5 + (long) ID_BYTES * ids.size();
        if (size > maxBytes) {
            throw new IllegalArgumentException("a delete of " + ids.size() + " ids is over the limit of " + maxBytes + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(DELETE).putInt(ids.size());
        ids.forEach(id -> putId(b, id));
        return b.flip();
    }

    /** An ABORT of the record with sequence number {@code seq}. */
    static ByteBuffer abort(long seq) {
        return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(ABORT).putLong(seq).flip();
    }

    /** The sequence number an ABORT record names. */
    static long aborted(ByteBuffer record) {
        return record.order(ByteOrder.LITTLE_ENDIAN).getLong(record.position() + 1);
    }

    /** The points of an UPSERT or VECTORS record. */
    static List<PointRecord> points(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte type = b.get();
        int count = b.getInt();
        List<PointRecord> out = new ArrayList<>(count);
        if (type == UPSERT) {
            int dim = b.getInt();
            for (int i = 0; i < count; i++) {
                PointId id = getId(b);
                float[] v = getFloats(b, dim);
                byte[] payload = new byte[b.getInt()];
                b.get(payload);
                out.add(new PointRecord(id, v, payload));
            }
            return out;
        }
        int slots = b.get();
        int sparseSlots = b.get();
        int[] dims = new int[slots];
        for (int i = 0; i < slots; i++) {
            dims[i] = b.getInt();
        }
        for (int i = 0; i < count; i++) {
            PointId id = getId(b);
            float[][] dense = new float[slots][];
            for (int s = 0; s < slots; s++) {
                dense[s] = b.get() == 0 ? null : getFloats(b, dims[s]);
            }
            SparseVector[] sparse = new SparseVector[sparseSlots];
            for (int s = 0; s < sparseSlots; s++) {
                int e = b.getInt();
                if (e >= 0) {
                    int[] indices = new int[e];
                    b.asIntBuffer().get(indices);
                    b.position(b.position() + 4 * e);
                    sparse[s] = new SparseVector(indices, getFloats(b, e));
                }
            }
            byte[] payload = new byte[b.getInt()];
            b.get(payload);
            out.add(new PointRecord(id, dense[0], payload,
                    java.util.Arrays.copyOfRange(dense, 1, slots), sparse));
        }
        return out;
    }

    /** The ids of a DELETE record. */
    static List<PointId> ids(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.get();
        int count = b.getInt();
        List<PointId> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(getId(b));
        }
        return out;
    }

    private static void putId(ByteBuffer b, PointId id) {
        b.put((byte) (id.uuid() ? 1 : 0)).putLong(id.msb()).putLong(id.lsb());
    }

    private static PointId getId(ByteBuffer b) {
        boolean uuid = b.get() == 1;
        return new PointId(uuid, b.getLong(), b.getLong());
    }
}
