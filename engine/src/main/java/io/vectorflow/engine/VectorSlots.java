package io.vectorflow.engine;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.PointRecord;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.segment.Segment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a collection's vectors live: the names of its {@link VectorsConfig} mapped to the
 * storage slots of its segments (dense slot 0 is the first, or only, vector), with the one set
 * of checks every protocol's points and queries go through.
 */
final class VectorSlots {

    /** A dense vector to search: its storage slot, name, size and metric. */
    record Dense(int slot, String name, int dimension, Metric metric) {}

    private final CollectionConfig config;
    private final VectorsConfig named;

    VectorSlots(CollectionConfig config) {
        this.config = config;
        this.named = config.vectors();
    }

    /** Whether the collection has named vectors (so answers carry vectors by name). */
    boolean named() {
        return named != null;
    }

    /**
     * The dense vector {@code using} names (null or "" for the unnamed or first one).
     *
     * @throws IllegalArgumentException naming {@code field} when there is no such dense vector
     */
    Dense dense(String using, String field) {
        if (named == null) {
            if (using != null && !using.isEmpty()) {
                throw new IllegalArgumentException(field + ": collection '" + config.name() + "' has no vector named '" + using
                        + "'; it has one unnamed vector \"\"");
            }
            return new Dense(0, "", config.dimension(), config.metricImpl());
        }
        String name = using == null ? "" : using;
        int slot = named.denseSlot(name);
        if (slot < 0 && name.isEmpty()) {
            slot = 0; // no vector named "": the first one, as the default
        }
        if (slot < 0) {
            throw new IllegalArgumentException(field + ": collection '" + config.name() + "' has no dense vector named '" + name
                    + "'" + (named.sparseSlot(name) >= 0 ? " ('" + name + "' is sparse: give a sparse query)" : "")
                    + "; it has " + named.names());
        }
        VectorsConfig.Dense d = named.dense().get(slot);
        return new Dense(slot, d.name(), d.size(), Metrics.byName(d.distance()));
    }

    /**
     * The sparse slot {@code using} names.
     *
     * @throws IllegalArgumentException naming {@code field} when there is no such sparse vector
     */
    int sparse(String using, String field) {
        int slot = named == null || using == null ? -1 : named.sparseSlot(using);
        if (slot < 0) {
            throw new IllegalArgumentException(field + ": collection '" + config.name() + "' has no sparse vector named '"
                    + (using == null ? "" : using) + "'" + (named == null ? "" : "; it has " + named.names()));
        }
        return slot;
    }

    /** Whether sparse slot {@code slot} weights query terms by inverse document frequency. */
    boolean idf(int slot) {
        return named.sparse().get(slot).idf();
    }

    /**
     * The storage record of point {@code p} (the {@code i}th of a batch): its vectors by slot,
     * each checked (dimension, finite components).
     *
     * @throws IllegalArgumentException naming {@code points[i].vector…}
     */
    PointRecord record(Point p, int i, byte[] payload) {
        String field = "points[" + i + "].vector";
        if (named == null) {
            float[] v = p.vector();
            if (v == null && p.named() != null) {
                if (!p.named().sparse().isEmpty() || p.named().dense().keySet().stream().anyMatch(n -> !n.isEmpty())) {
                    throw new IllegalArgumentException(field + ": collection '" + config.name() + "' has one unnamed vector \"\"; got "
                            + p.named().names());
                }
                v = p.named().dense().get("");
            }
            check(field, v, config.dimension());
            return new PointRecord(p.id(), v, payload);
        }
        Vectors given = p.named() != null ? p.named()
                : p.vector() != null ? new Vectors(Map.of("", p.vector()), Map.of()) : Vectors.none();
        float[][] dense = new float[named.dense().size()][];
        SparseVector[] sparse = new SparseVector[named.sparse().size()];
        for (Map.Entry<String, float[]> e : given.dense().entrySet()) {
            int slot = named.denseSlot(e.getKey());
            if (slot < 0) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": collection '" + config.name()
                        + "' has no dense vector named '" + e.getKey() + "'; it has " + named.names());
            }
            check(e.getKey().isEmpty() ? field : field + "." + e.getKey(), e.getValue(), named.dense().get(slot).size());
            dense[slot] = e.getValue();
        }
        for (Map.Entry<String, SparseVector> e : given.sparse().entrySet()) {
            int slot = named.sparseSlot(e.getKey());
            if (slot < 0) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": collection '" + config.name()
                        + "' has no sparse vector named '" + e.getKey() + "'; it has " + named.names());
            }
            sparse[slot] = e.getValue();
        }
        return new PointRecord(p.id(), dense[0], payload,
                java.util.Arrays.copyOfRange(dense, 1, dense.length), sparse);
    }

    /**
     * The record rewriting a stored point with another payload, or with some of its vectors
     * replaced ({@code replace}, may be null) and some removed ({@code remove}, may be null).
     */
    PointRecord rewrite(PointId id, Segment s, int ord, byte[] payload, Vectors replace,
                                        java.util.Set<String> remove) {
        if (named == null) {
            float[] v = replace != null && replace.dense().containsKey("") ? replace.dense().get("") : s.vector(ord);
            return new PointRecord(id, v, payload);
        }
        float[][] dense = new float[named.dense().size()][];
        SparseVector[] sparse = new SparseVector[named.sparse().size()];
        for (int slot = 0; slot < dense.length; slot++) {
            String name = named.dense().get(slot).name();
            dense[slot] = remove != null && remove.contains(name) ? null
                    : replace != null && replace.dense().containsKey(name) ? replace.dense().get(name) : s.vector(slot, ord);
        }
        for (int slot = 0; slot < sparse.length; slot++) {
            String name = named.sparse().get(slot).name();
            sparse[slot] = remove != null && remove.contains(name) ? null
                    : replace != null && replace.sparse().containsKey(name) ? replace.sparse().get(name) : s.sparse(slot, ord);
        }
        return new PointRecord(id, dense[0], payload,
                java.util.Arrays.copyOfRange(dense, 1, dense.length), sparse);
    }

    /** Checks the names a vector update or delete gives, naming {@code field} for one the collection lacks. */
    void checkNames(java.util.Collection<String> names, String field) {
        for (String n : names) {
            boolean known = named == null ? n.isEmpty() : named.denseSlot(n) >= 0 || named.sparseSlot(n) >= 0;
            if (!known) {
                throw new IllegalArgumentException(field + ": collection '" + config.name() + "' has no vector named '" + n
                        + "'; it has " + (named == null ? "one unnamed vector \"\"" : named.names()));
            }
        }
    }

    /** The stored vectors of a point by name (as stored: unit length for cosine), for answers. */
    Vectors read(Segment s, int ord) {
        Map<String, float[]> dense = new LinkedHashMap<>();
        Map<String, SparseVector> sparse = new LinkedHashMap<>();
        for (int slot = 0; slot < named.dense().size(); slot++) {
            float[] v = s.vector(slot, ord);
            if (v != null) {
                dense.put(named.dense().get(slot).name(), v);
            }
        }
        for (int slot = 0; slot < named.sparse().size(); slot++) {
            SparseVector v = s.sparse(slot, ord);
            if (v != null) {
                sparse.put(named.sparse().get(slot).name(), v);
            }
        }
        return new Vectors(dense, sparse);
    }

    /** Checks one dense vector: given, of the right dimension, finite. */
    void check(String field, float[] v, int dimension) {
        if (v == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (v.length != dimension) {
            throw new IllegalArgumentException(field + " has dimension " + v.length + ", collection '" + config.name()
                    + "' expects " + dimension);
        }
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j])) {
                throw new IllegalArgumentException(field + "[" + j + "] is " + v[j] + "; components must be finite numbers");
            }
        }
    }
}
