package io.vectorflow.storage;

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
 * </pre>
 * An ABORT is written when a record reached the log but could not be applied (memory ran out
 * while making room for it): replay skips the record it names, so the write that was refused
 * never takes effect later either.
 */
final class Records {

    static final byte UPSERT = 1;
    static final byte DELETE = 2;
    static final byte ABORT = 3;
    static final int ID_BYTES = 17;

    private Records() {}

    /** The record type of a record. */
    static byte type(ByteBuffer record) {
        return record.get(record.position());
    }

    /** An UPSERT of {@code points}, each vector of {@code dim} components. */
    static ByteBuffer upsert(List<CollectionStore.PointRecord> points, int dim, int maxBytes) {
        long size = 9;
        for (CollectionStore.PointRecord p : points) {
            if (p.vector().length != dim) {
                throw new IllegalArgumentException("point " + p.id() + ": vector has dimension " + p.vector().length
                        + ", the collection has " + dim);
            }
            size += ID_BYTES + 4L * dim + 4 + p.payload().length;
        }
        if (size > maxBytes) {
            throw new IllegalArgumentException("batch of " + size + " bytes is over the limit of " + maxBytes);
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(UPSERT).putInt(points.size()).putInt(dim);
        for (CollectionStore.PointRecord p : points) {
            putId(b, p.id());
            b.asFloatBuffer().put(p.vector()); // bulk copy; the view shares b's byte order
            b.position(b.position() + 4 * dim);
            b.putInt(p.payload().length).put(p.payload());
        }
        return b.flip();
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

    /** The points of an UPSERT record. */
    static List<CollectionStore.PointRecord> points(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.get();
        int count = b.getInt();
        int dim = b.getInt();
        List<CollectionStore.PointRecord> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PointId id = getId(b);
            float[] v = new float[dim];
            b.asFloatBuffer().get(v);
            b.position(b.position() + 4 * dim);
            byte[] payload = new byte[b.getInt()];
            b.get(payload);
            out.add(new CollectionStore.PointRecord(id, v, payload));
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
