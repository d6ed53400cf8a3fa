package io.vectorflow.engine;

import io.vectorflow.core.sparse.SparseVector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named vectors of a point, as upserted or returned: dense ones by name and sparse ones by
 * name (either map may be empty; names follow the collection's {@link VectorsConfig}). Only
 * collections with named vectors use this; a plain collection's point has one {@code float[]}.
 */
public record Vectors(Map<String, float[]> dense, Map<String, SparseVector> sparse) {

    public Vectors {
        dense = Collections.unmodifiableMap(new LinkedHashMap<>(dense));
        sparse = Collections.unmodifiableMap(new LinkedHashMap<>(sparse));
    }

    /** No vectors. */
    public static Vectors none() {
        return new Vectors(Map.of(), Map.of());
    }

    /** Bytes these vectors take in an answer (4 per dense component, 8 per sparse entry). */
    public long bytes() {
        long n = 0;
        for (float[] v : dense.values()) {
            n += 4L * v.length;
        }
        for (SparseVector v : sparse.values()) {
            n += 8L * v.size();
        }
        return n;
    }

    /** The names given, dense then sparse. */
    public java.util.Set<String> names() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(dense.keySet());
        out.addAll(sparse.keySet());
        return out;
    }
}
