package io.vectorflow.cluster;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.Vectors;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.FilterJson;
import io.vectorflow.engine.filter.FilterParser;
import io.vectorflow.storage.PointId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What travels in a shard's Raft log (writes) and in its read requests, and the answers.
 *
 * <p>Format (big-endian, as {@link DataOutputStream} writes): one op byte, then per op:
 * <pre>
 * UPSERT       int n, n × point
 * DELETE_IDS   int n, n × id
 * DELETE_WHERE filter
 * SET_PAYLOAD  bool byIds, (int n, n × id | filter), json payload, bool replace, bool hasKey, [utf key]
 * COUNT        bool hasFilter, [filter]                        answer: long
 * GET          int n, n × id, bool withPayload, bool withVector  answer: int n, n × point
 * SEARCH       floats query, int limit, bool hasFilter, [filter], int ef, bool exact, bool withPayload,
 *              bool withVector, bool hasThreshold, [float], bool hasUsing, [utf using]
 *              answer: int n, n × point, n × float score, long vectorsScanned, int segmentsSearched
 * point  = id, floats vector (length -1: none), int dense, dense × (utf name, floats),
 *          int sparse, sparse × (utf name, int n, n × int index, n × float value), json payload (-1: none)
 * id     = bool uuid, long msb, long lsb
 * floats = int length, length × float
 * filter = json (the filter as {@link FilterJson} writes it)
 * json   = int length, length × UTF-8 bytes
 * </pre>
 * Points are shipped after the receiving node validated them, so every replica applies the same
 * bytes; a replica's engine validates them again (dimension, finite values) before applying.
 */
final class ShardCommand {

    static final byte UPSERT = 1;
    static final byte DELETE_IDS = 2;
    static final byte DELETE_WHERE = 3;
    static final byte SET_PAYLOAD = 4;
    static final byte COUNT = 20;
    static final byte GET = 21;
    static final byte SEARCH = 22;

    /** Filters nest two JSON levels per filter level, deeper than the request mapper allows. */
    private static final ObjectMapper DEEP = Json.MAPPER.copy();

    static {
        DEEP.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(4 * FilterParser.MAX_DEPTH + 16).build());
    }

    private ShardCommand() {}

    /** A growing message. */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        final DataOutputStream data = new DataOutputStream(bytes);

        Out(byte op) {
            u(() -> data.writeByte(op));
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }

        Out ids(List<PointId> ids) {
            u(() -> {
                data.writeInt(ids.size());
                for (PointId id : ids) {
                    id(data, id);
                }
            });
            return this;
        }

        Out points(List<Point> points) {
            u(() -> {
                data.writeInt(points.size());
                for (Point p : points) {
                    point(data, p.id(), p.vector(), p.named(), p.payload());
                }
            });
            return this;
        }

        Out records(List<Record> records) {
            u(() -> {
                data.writeInt(records.size());
                for (Record r : records) {
                    point(data, r.id(), r.vector(), r.named(), r.payload());
                }
            });
            return this;
        }

        Out filter(Filter f) {
            u(() -> ShardCommand.json(data, FilterJson.write(f)));
            return this;
        }

        Out json(ObjectNode n) {
            u(() -> ShardCommand.json(data, n));
            return this;
        }

        Out bool(boolean b) {
            u(() -> data.writeBoolean(b));
            return this;
        }

        Out utf(String s) {
            u(() -> data.writeUTF(s));
            return this;
        }

        Out longValue(long v) {
            u(() -> data.writeLong(v));
            return this;
        }
    }

    interface IoStep {
        void run() throws IOException;
    }

    private static void u(IoStep step) {
        try {
            step.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails
        }
    }

    static DataInputStream in(InputStream bytes) {
        return new DataInputStream(bytes);
    }

    static void id(DataOutputStream out, PointId id) throws IOException {
        out.writeBoolean(id.uuid());
        out.writeLong(id.msb());
        out.writeLong(id.lsb());
    }

    static PointId id(DataInputStream in) throws IOException {
        return new PointId(in.readBoolean(), in.readLong(), in.readLong());
    }

    static List<PointId> ids(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<PointId> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(id(in));
        }
        return out;
    }

    private static void point(DataOutputStream out, PointId id, float[] vector, Vectors named, ObjectNode payload) throws IOException {
        id(out, id);
        floats(out, vector);
        Map<String, float[]> dense = named == null ? Map.of() : named.dense();
        Map<String, SparseVector> sparse = named == null ? Map.of() : named.sparse();
        out.writeInt(named == null ? -1 : dense.size());
        for (var e : dense.entrySet()) {
            out.writeUTF(e.getKey());
            floats(out, e.getValue());
        }
        out.writeInt(sparse.size());
        for (var e : sparse.entrySet()) {
            out.writeUTF(e.getKey());
            SparseVector v = e.getValue();
            out.writeInt(v.indices().length);
            for (int i : v.indices()) {
                out.writeInt(i);
            }
            for (float f : v.values()) {
                out.writeFloat(f);
            }
        }
        json(out, payload);
    }

    /** Points as {@link Out#points} or {@link Out#records} wrote them. */
    static List<Record> records(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<Record> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PointId id = id(in);
            float[] vector = floats(in);
            int dense = in.readInt();
            Vectors named = null;
            if (dense >= 0) {
                Map<String, float[]> d = new LinkedHashMap<>();
                for (int j = 0; j < dense; j++) {
                    d.put(in.readUTF(), floats(in));
                }
                Map<String, SparseVector> s = new LinkedHashMap<>();
                for (int j = 0, m = in.readInt(); j < m; j++) {
                    String name = in.readUTF();
                    int[] idx = new int[in.readInt()];
                    float[] val = new float[idx.length];
                    for (int k = 0; k < idx.length; k++) {
                        idx[k] = in.readInt();
                    }
                    for (int k = 0; k < val.length; k++) {
                        val[k] = in.readFloat();
                    }
                    s.put(name, new SparseVector(idx, val));
                }
                named = new Vectors(d, s);
            } else {
                in.readInt(); // no sparse vectors without named ones
            }
            out.add(new Record(id, (ObjectNode) json(in), vector, named));
        }
        return out;
    }

    static List<Point> points(DataInputStream in) throws IOException {
        List<Record> records = records(in);
        List<Point> out = new ArrayList<>(records.size());
        for (Record r : records) {
            out.add(new Point(r.id(), r.vector(), r.payload(), r.named()));
        }
        return out;
    }

    /**
     * A dense search as one shard runs it: the hits skipped by the request's offset are asked
     * of every shard (limit = limit + offset, no offset), and the merged list is cut afterwards.
     */
    static Out search(io.vectorflow.engine.SearchRequest r) {
        if (r.sparseVector() != null) {
            throw new IllegalArgumentException("sparse queries are not served by sharded collections yet");
        }
        Out o = new Out(SEARCH);
        u(() -> {
            floats(o.data, r.vector());
            o.data.writeInt(r.depth());
            o.data.writeBoolean(r.filter() != null);
        });
        if (r.filter() != null) {
            o.filter(r.filter());
        }
        u(() -> {
            o.data.writeInt(r.ef());
            o.data.writeBoolean(r.exact());
            o.data.writeBoolean(r.withPayload());
            o.data.writeBoolean(r.withVector());
            o.data.writeBoolean(r.scoreThreshold() != null);
            if (r.scoreThreshold() != null) {
                o.data.writeFloat(r.scoreThreshold());
            }
            o.data.writeBoolean(r.using() != null);
            if (r.using() != null) {
                o.data.writeUTF(r.using());
            }
        });
        return o;
    }

    /** The request {@link #search} wrote (after its op byte). */
    static io.vectorflow.engine.SearchRequest search(DataInputStream in) throws IOException {
        float[] q = floats(in);
        int limit = in.readInt();
        Filter f = in.readBoolean() ? filter(in) : null;
        int ef = in.readInt();
        boolean exact = in.readBoolean();
        boolean wp = in.readBoolean();
        boolean wv = in.readBoolean();
        Float threshold = in.readBoolean() ? in.readFloat() : null;
        String using = in.readBoolean() ? in.readUTF() : null;
        return new io.vectorflow.engine.SearchRequest(q, limit, f, ef, exact, wp, wv, false, 0, threshold, using, null);
    }

    /** A shard's hits, as the answer to {@link #SEARCH}. */
    static byte[] hits(byte status, io.vectorflow.engine.SearchResult r) {
        List<Record> records = new ArrayList<>(r.points().size());
        for (var p : r.points()) {
            records.add(new Record(p.id(), p.payload(), p.vector(), p.named()));
        }
        Out o = new Out(status).records(records);
        u(() -> {
            for (var p : r.points()) {
                o.data.writeFloat(p.score());
            }
            o.data.writeLong(r.vectorsScanned());
            o.data.writeInt(r.segmentsSearched());
        });
        return o.toByteArray();
    }

    /** One shard's answer to a search. */
    record Hits(List<io.vectorflow.engine.ScoredPoint> points, long vectorsScanned, int segmentsSearched) {}

    static Hits hits(DataInputStream in) throws IOException {
        List<Record> records = records(in);
        List<io.vectorflow.engine.ScoredPoint> points = new ArrayList<>(records.size());
        for (Record r : records) {
            points.add(new io.vectorflow.engine.ScoredPoint(r.id(), in.readFloat(), r.payload(), r.vector(), null, r.named()));
        }
        return new Hits(points, in.readLong(), in.readInt());
    }

    private static void floats(DataOutputStream out, float[] v) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    private static float[] floats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }

    private static void json(DataOutputStream out, com.fasterxml.jackson.databind.JsonNode n) throws IOException {
        if (n == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = DEEP.writeValueAsBytes(n);
        out.writeInt(b.length);
        out.write(b);
    }

    static com.fasterxml.jackson.databind.JsonNode json(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        return DEEP.readTree(in.readNBytes(n));
    }

    static Filter filter(DataInputStream in) throws IOException {
        return FilterParser.parse(json(in), "filter");
    }
}
