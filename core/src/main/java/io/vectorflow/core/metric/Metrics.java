package io.vectorflow.core.metric;

import io.vectorflow.core.vector.VectorUtil;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in metrics and the registry new ones are added to. */
public final class Metrics {

    /** Squared Euclidean distance internally; {@link Metric#score} is the Euclidean distance. */
    public static final Metric EUCLIDEAN = new Euclidean();
    /** Negative dot product internally; the score is the dot product. For unnormalised vectors. */
    public static final Metric DOT = new Dot();
    /** Vectors normalised when stored, then {@code 1 - dot}; the score is the cosine similarity. */
    public static final Metric COSINE = new Cosine();
    /** Sum of absolute differences. */
    public static final Metric MANHATTAN = new Manhattan();

    private static final Map<String, Metric> REGISTRY = new ConcurrentHashMap<>();

    static {
        for (Metric m : new Metric[] {EUCLIDEAN, DOT, COSINE, MANHATTAN}) {
            register(m);
        }
        REGISTRY.put("l2", EUCLIDEAN);
        REGISTRY.put("euclid", EUCLIDEAN);
        REGISTRY.put("angular", COSINE);
        REGISTRY.put("ip", DOT);
        REGISTRY.put("l1", MANHATTAN);
    }

    private Metrics() {}

    /** Adds a metric under its {@link Metric#name}; fails if the name is taken. */
    public static void register(Metric metric) {
        String key = metric.name().toLowerCase(Locale.ROOT);
        if (REGISTRY.putIfAbsent(key, metric) != null) {
            throw new IllegalArgumentException("metric already registered: " + key);
        }
    }

    /**
     * Looks a metric up by name or alias, ignoring case ("euclidean", "l2", "cosine",
     * "angular", "dot", "ip", "manhattan", "l1").
     *
     * @throws IllegalArgumentException naming the known metrics when there is no such metric
     */
    public static Metric byName(String name) {
        Metric m = name == null ? null : REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown metric '" + name + "'; known: " + names());
        }
        return m;
    }

    /** Registered names and aliases, sorted. */
    public static Set<String> names() {
        return new TreeSet<>(REGISTRY.keySet());
    }

    private static final class Euclidean implements Metric {
        public String name() { return "euclidean"; }
        public float distance(float[] a, float[] b) { return VectorUtil.squareDistance(a, b); }
        public float distance(float[] q, MemorySegment d, long off, int dim) { return VectorUtil.squareDistance(q, d, off, dim); }
        public void distances(float[] q, MemorySegment d, long stride, int dim, int[] ords, int n, float[] out) {
            for (int i = 0; i < n; i++) { out[i] = distance(q, d, ords[i] * stride, dim); } // own loop per class, see Metric
        }
        public float distance(MemorySegment d, long a, long b, int dim) { return VectorUtil.squareDistance(d, a, b, dim); }
        public float score(float distance) { return (float) Math.sqrt(distance); }
        public boolean higherScoreIsCloser() { return false; }
    }

    private static final class Dot implements Metric {
        public String name() { return "dot"; }
        public float distance(float[] a, float[] b) { return -VectorUtil.dotProduct(a, b); }
        public float distance(float[] q, MemorySegment d, long off, int dim) { return -VectorUtil.dotProduct(q, d, off, dim); }
        public void distances(float[] q, MemorySegment d, long stride, int dim, int[] ords, int n, float[] out) {
            for (int i = 0; i < n; i++) { out[i] = distance(q, d, ords[i] * stride, dim); } // own loop per class, see Metric
        }
        public float distance(MemorySegment d, long a, long b, int dim) { return -VectorUtil.dotProduct(d, a, b, dim); }
        public float score(float distance) { return -distance; }
        public boolean higherScoreIsCloser() { return true; }
    }

    private static final class Cosine implements Metric {
        public String name() { return "cosine"; }
        public float[] prepare(float[] v) {
            float[] copy = v.clone();
            VectorUtil.normalize(copy);
            return copy;
        }
        public void prepareInto(float[] v, float[] out) {
            float norm = (float) Math.sqrt(VectorUtil.dotProduct(v, v));
            float inv = norm > 0f && norm != 1f ? 1f / norm : 1f; // as normalize(): a zero vector stays zero
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] * inv;
            }
        }
        public float distance(float[] a, float[] b) { return 1f - VectorUtil.dotProduct(a, b); }
        public float distance(float[] q, MemorySegment d, long off, int dim) { return 1f - VectorUtil.dotProduct(q, d, off, dim); }
        public void distances(float[] q, MemorySegment d, long stride, int dim, int[] ords, int n, float[] out) {
            for (int i = 0; i < n; i++) { out[i] = distance(q, d, ords[i] * stride, dim); } // own loop per class, see Metric
        }
        public float distance(MemorySegment d, long a, long b, int dim) { return 1f - VectorUtil.dotProduct(d, a, b, dim); }
        public float score(float distance) { return 1f - distance; }
        public boolean higherScoreIsCloser() { return true; }
    }

    private static final class Manhattan implements Metric {
        public String name() { return "manhattan"; }
        public float distance(float[] a, float[] b) { return VectorUtil.l1Distance(a, b); }
        public float distance(float[] q, MemorySegment d, long off, int dim) { return VectorUtil.l1Distance(q, d, off, dim); }
        public void distances(float[] q, MemorySegment d, long stride, int dim, int[] ords, int n, float[] out) {
            for (int i = 0; i < n; i++) { out[i] = distance(q, d, ords[i] * stride, dim); } // own loop per class, see Metric
        }
        public float distance(MemorySegment d, long a, long b, int dim) { return VectorUtil.l1Distance(d, a, b, dim); }
        public float score(float distance) { return distance; }
        public boolean higherScoreIsCloser() { return false; }
    }
}
