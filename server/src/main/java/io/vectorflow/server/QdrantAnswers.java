package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.storage.PointId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The engine's answers as Qdrant's gRPC messages: points with their payloads as Qdrant
 * {@code Value}s and their vectors in both the current {@code dense} field and the older
 * {@code data} field (clients such as LangChain4j read only {@code data}), ids, order values.
 */
public final class QdrantAnswers {

    private QdrantAnswers() {}

    static Common.PointId id(PointId id) {
        return id.uuid() ? Common.PointId.newBuilder().setUuid(new UUID(id.msb(), id.lsb()).toString()).build()
                : Common.PointId.newBuilder().setNum(id.lsb()).build();
    }

    /** A JSON value as a Qdrant {@code Value} (integers stay integers). */
    public static JsonWithInt.Value value(JsonNode n) {
        JsonWithInt.Value.Builder b = JsonWithInt.Value.newBuilder();
        if (n == null || n.isNull() || n.isMissingNode()) {
            return b.setNullValue(JsonWithInt.NullValue.NULL_VALUE).build();
        }
        if (n.isTextual()) {
            return b.setStringValue(n.textValue()).build();
        }
        if (n.isBoolean()) {
            return b.setBoolValue(n.booleanValue()).build();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return b.setIntegerValue(n.longValue()).build();
        }
        if (n.isNumber()) {
            return b.setDoubleValue(n.doubleValue()).build();
        }
        if (n.isArray()) {
            JsonWithInt.ListValue.Builder l = JsonWithInt.ListValue.newBuilder();
            n.forEach(e -> l.addValues(value(e)));
            return b.setListValue(l).build();
        }
        JsonWithInt.Struct.Builder s = JsonWithInt.Struct.newBuilder();
        n.properties().forEach(e -> s.putFields(e.getKey(), value(e.getValue())));
        return b.setStructValue(s).build();
    }

    /** A payload as Qdrant's map of values, keys chosen by the selector. */
    static Map<String, JsonWithInt.Value> payload(ObjectNode payload, PayloadSelector ps) {
        if (payload == null) {
            return Map.of();
        }
        JsonNode selected = ps.apply(payload);
        Map<String, JsonWithInt.Value> out = new LinkedHashMap<>();
        if (selected != null) {
            selected.properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
        }
        return out;
    }

    static Points.VectorsOutput vectors(float[] v) {
        Points.DenseVector.Builder dense = Points.DenseVector.newBuilder();
        Points.VectorOutput.Builder out = Points.VectorOutput.newBuilder();
        for (float f : v) {
            dense.addData(f);
            out.addData(f);
        }
        return Points.VectorsOutput.newBuilder().setVector(out.setDense(dense)).build();
    }

    /** Named vectors: each dense one as {@link #vectors(float[])} writes it, each sparse one in {@code sparse} and the older fields. */
    static Points.VectorsOutput vectors(io.vectorflow.engine.Vectors named) {
        Points.NamedVectorsOutput.Builder out = Points.NamedVectorsOutput.newBuilder();
        named.dense().forEach((name, v) -> out.putVectors(name, vectors(v).getVector()));
        named.sparse().forEach((name, v) -> {
            Points.SparseVector.Builder sparse = Points.SparseVector.newBuilder();
            Points.SparseIndices.Builder indices = Points.SparseIndices.newBuilder();
            Points.VectorOutput.Builder one = Points.VectorOutput.newBuilder();
            for (int i = 0; i < v.size(); i++) {
                sparse.addIndices(v.indices()[i]).addValues(v.values()[i]);
                indices.addData(v.indices()[i]);
                one.addData(v.values()[i]);
            }
            out.putVectors(name, one.setIndices(indices).setSparse(sparse).build());
        });
        return Points.VectorsOutput.newBuilder().setVectors(out).build();
    }

    static Points.ScoredPoint scored(ScoredPoint p, PayloadSelector ps) {
        Points.ScoredPoint.Builder b = Points.ScoredPoint.newBuilder().setId(id(p.id())).setScore(p.score()).setVersion(0)
                .putAllPayload(payload(p.payload(), ps));
        if (p.named() != null) {
            b.setVectors(vectors(p.named()));
        } else if (p.vector() != null) {
            b.setVectors(vectors(p.vector()));
        }
        Points.OrderValue order = orderValue(p.orderValue());
        if (order != null) {
            b.setOrderValue(order);
        }
        return b.build();
    }

    /** The value an {@code order_by} query ordered a point by, or null. */
    static Points.OrderValue orderValue(Object v) {
        return v instanceof Long l ? Points.OrderValue.newBuilder().setInt(l).build()
                : v instanceof Number n ? Points.OrderValue.newBuilder().setFloat(n.doubleValue()).build() : null;
    }

    static List<Points.ScoredPoint> scored(List<ScoredPoint> points, PayloadSelector ps) {
        return points.stream().map(p -> scored(p, ps)).toList();
    }

    static Points.RetrievedPoint retrieved(Record r, PayloadSelector ps) {
        Points.RetrievedPoint.Builder b = Points.RetrievedPoint.newBuilder().setId(id(r.id())).putAllPayload(payload(r.payload(), ps));
        if (r.named() != null) {
            b.setVectors(vectors(r.named()));
        } else if (r.vector() != null) {
            b.setVectors(vectors(r.vector()));
        }
        return b.build();
    }

    static Points.PointsOperationResponse completed(long start) {
        return Points.PointsOperationResponse.newBuilder().setResult(Points.UpdateResult.newBuilder()
                .setOperationId((Long) PointsApi.completed().get("operation_id")).setStatus(Points.UpdateStatus.Completed))
                .setTime(seconds(start)).build();
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
