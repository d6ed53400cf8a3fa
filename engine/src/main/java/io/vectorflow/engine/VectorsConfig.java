package io.vectorflow.engine;

import io.vectorflow.core.metric.Metrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The named vectors of a collection (Qdrant's {@code vectors: {"name": {size, distance}}} and
 * {@code sparse_vectors: {"name": {modifier}}}): each point may carry any of them. The first
 * dense vector is the collection's {@link CollectionConfig#dimension()} and metric; every dense
 * vector has its own graph in every segment and every sparse one its own inverted index. A
 * collection without named vectors (the common case: one unnamed vector {@code ""}) has none of
 * this and a null {@code vectors} in its config.
 *
 * @param dense  the dense vectors in slot order (creation order), at least one
 * @param sparse the sparse vectors in slot order
 */
public record VectorsConfig(List<Dense> dense, List<Sparse> sparse) {

    /**
     * A dense vector: its name (may be "" beside other names), size and metric, and its own graph
     * and storage settings where it has them (Qdrant's per-vector {@code hnsw_config.m},
     * {@code hnsw_config.ef_construct} and {@code on_disk}); null ones follow the collection's.
     */
    public record Dense(String name, int size, String distance, Integer m, Integer efConstruct, Boolean onDisk) {
        public Dense {
            checkName(name, "vectors");
            if (size < 1 || size > 65_536) {
                throw new IllegalArgumentException("vectors." + name + ".size must be between 1 and 65536, got " + size);
            }
            distance = Metrics.byName(distance).name();
            if (m != null || efConstruct != null) {
                new io.vectorflow.core.hnsw.HnswParams(m == null ? 16 : m, efConstruct == null ? 100 : efConstruct); // validates
            }
        }

        public Dense(String name, int size, String distance) {
            this(name, size, distance, null, null, null);
        }

        /** The same vector with other graph and storage settings (null: the collection's). */
        public Dense with(Integer links, Integer beam, Boolean inPlace) {
            return new Dense(name, size, distance, links, beam, inPlace);
        }

        /** Whether another vector differs from this one only in graph and storage settings. */
        boolean sameShape(Dense o) {
            return name.equals(o.name) && size == o.size && distance.equals(o.distance);
        }
    }

    /**
     * A sparse vector: its name and how query terms are weighted.
     *
     * @param idf weight each query dimension by its inverse document frequency over the
     *            collection (Qdrant's {@code modifier: "idf"}), as BM25-style sparse vectors expect
     */
    public record Sparse(String name, boolean idf) {
        public Sparse {
            checkName(name, "sparse_vectors");
        }
    }

    public VectorsConfig {
        dense = List.copyOf(dense);
        sparse = List.copyOf(sparse);
        if (dense.isEmpty()) {
            throw new IllegalArgumentException("vectors: a collection needs at least one dense vector (sparse-only collections"
                    + " are not supported); add one, for example \"vectors\": {\"\": {\"size\": 4, \"distance\": \"Cosine\"}}");
        }
        if (dense.size() > 64 || sparse.size() > 64) {
            throw new IllegalArgumentException("vectors: at most 64 dense and 64 sparse vectors per collection");
        }
        Set<String> names = new HashSet<>();
        for (Dense d : dense) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("vectors: the name '" + d.name() + "' is given twice");
            }
        }
        for (Sparse s : sparse) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("sparse_vectors." + s.name() + ": the name is taken by another vector");
            }
        }
    }

    private static void checkName(String name, String field) {
        if (name == null || name.length() > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + ": a vector name is 0 to 255 characters without control characters");
        }
    }

    /** The dense slot of a name, or -1. */
    public int denseSlot(String name) {
        for (int i = 0; i < dense.size(); i++) {
            if (dense.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The sparse slot of a name, or -1. */
    public int sparseSlot(String name) {
        for (int i = 0; i < sparse.size(); i++) {
            if (sparse.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code other} has the same names, sizes and metrics (settings may differ). */
    public boolean sameShape(VectorsConfig other) {
        if (other == null || dense.size() != other.dense.size() || !sparse.equals(other.sparse)) {
            return false;
        }
        for (int i = 0; i < dense.size(); i++) {
            if (!dense.get(i).sameShape(other.dense.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The same vectors with {@code d} in place of the dense vector of its name. */
    public VectorsConfig replacing(Dense d) {
        List<Dense> out = new ArrayList<>(dense);
        out.set(denseSlot(d.name()), d);
        return new VectorsConfig(out, sparse);
    }

    /** Every vector name, dense first. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        dense.forEach(d -> out.add(d.name()));
        sparse.forEach(s -> out.add(s.name()));
        return out;
    }
}
