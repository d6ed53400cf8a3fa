package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Vectors;
import io.vectorflow.storage.PointId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Vectors in Qdrant's JSON: a point's {@code vector} (an array, or an object of named vectors,
 * each an array or a sparse {@code {"indices", "values"}}), a search's {@code vector} (an array,
 * or {@code {"name", "vector"}}), and the {@code vector} of an answer. Whether the names exist
 * and the sizes fit is the engine's to check.
 */
final class VectorsJson {

    private VectorsJson() {}

    /** A point to upsert from its id, {@code vector} and payload. */
    static Point point(PointId id, JsonNode vector, ObjectNode payload, String path) {
        if (vector != null && vector.isObject()) {
            return new Point(id, null, payload, named(vector, path));
        }
        return new Point(id, PointsApi.vector(vector, path), payload);
    }

    /** Named vectors: {@code {"name": [numbers] | {"indices": [...], "values": [...]}}}. */
    static Vectors named(JsonNode v, String path) {
        Map<String, float[]> dense = new LinkedHashMap<>();
        Map<String, SparseVector> sparse = new LinkedHashMap<>();
        for (var it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            String at = path + "." + e.getKey();
            JsonNode x = e.getValue();
            if (x.isObject()) {
                sparse.put(e.getKey(), sparse(x, at));
            } else if (x.isArray() && !x.isEmpty() && x.get(0).isArray()) {
                throw ApiException.badRequest(at + ": multivectors are not supported");
            } else {
                dense.put(e.getKey(), PointsApi.vector(x, at));
            }
        }
        return new Vectors(dense, sparse);
    }

    /** A sparse vector {@code {"indices": [...], "values": [...]}}. */
    static SparseVector sparse(JsonNode v, String path) {
        Body b = Body.of(v, path).check(java.util.Set.of("indices", "values"));
        JsonNode indices = b.get("indices");
        JsonNode values = b.get("values");
        if (indices == null || !indices.isArray() || values == null || !values.isArray()) {
            throw ApiException.unprocessable(path + " must be {\"indices\": [integers], \"values\": [numbers]}");
        }
        if (indices.size() != values.size()) {
            throw ApiException.badRequest(path + ": indices and values must have the same length, got " + indices.size()
                    + " and " + values.size());
        }
        if (indices.size() > SparseVector.MAX_NON_ZEROS) {
            throw new ApiException(413, path + " holds " + indices.size() + " entries; at most " + SparseVector.MAX_NON_ZEROS);
        }
        int[] idx = new int[indices.size()];
        for (int i = 0; i < idx.length; i++) {
            JsonNode x = indices.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.intValue() < 0) {
                throw ApiException.badRequest(path + ".indices[" + i + "] must be an integer from 0 to " + Integer.MAX_VALUE
                        + ", got " + Body.brief(x));
            }
            idx[i] = x.intValue();
        }
        float[] val = PointsApi.vector(values, path + ".values");
        try {
            return new SparseVector(idx, val);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(path + ": " + e.getMessage());
        }
    }

    /** What a search's {@code vector} asks for: the vector name and a dense or sparse query. */
    record Target(String using, float[] dense, SparseVector sparse) {}

    /** A search's {@code vector}: an array, or {@code {"name", "vector"}} with a dense or sparse vector. */
    static Target target(JsonNode v, String path) {
        if (v != null && v.isObject() && v.has("name") && v.has("vector")) {
            Body b = Body.of(v, path).check(java.util.Set.of("name", "vector"));
            String name = b.string("name", "");
            JsonNode inner = b.get("vector");
            return inner.isObject() ? new Target(name, null, sparse(inner, path + ".vector"))
                    : new Target(name, PointsApi.vector(inner, path + ".vector"), null);
        }
        return new Target(null, PointsApi.vector(v, path), null);
    }

    /** Writes an answer's {@code vector}: null, an array, or named vectors. */
    static void write(ObjectNode n, float[] vector, Vectors named) {
        if (named != null) {
            ObjectNode out = n.putObject("vector");
            named.dense().forEach((name, v) -> floats(out.putArray(name), v));
            named.sparse().forEach((name, v) -> {
                ObjectNode s = out.putObject(name);
                ArrayNode idx = s.putArray("indices");
                for (int i : v.indices()) {
                    idx.add(i);
                }
                floats(s.putArray("values"), v.values());
            });
        } else if (vector == null) {
            n.putNull("vector");
        } else {
            floats(n.putArray("vector"), vector);
        }
    }

    private static void floats(ArrayNode a, float[] v) {
        for (float f : v) {
            a.add(f);
        }
    }
}
