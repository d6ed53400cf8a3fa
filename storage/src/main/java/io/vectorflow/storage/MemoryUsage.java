package io.vectorflow.storage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes a collection holds per component, in RAM and on disk. RAM is what the process itself
 * holds: heap structures and off-heap copies (vectors and graphs loaded at open, segments still
 * being written, codes kept in RAM). Pages of memory-mapped files count as disk, not RAM: the
 * kernel's page cache holds them while they are used and takes them back under pressure.
 *
 * <p>Components: {@code vectors}, {@code quantized_vectors}, {@code graph}, {@code payloads},
 * {@code payload_indexes}, {@code id_map} (ids, their lookup table, Bloom filters, delete and
 * absence bits), {@code sparse_vectors} and {@code wal}.
 */
public final class MemoryUsage {

    /** Every component, in the order answers list them. */
    public static final List<String> COMPONENTS = List.of("vectors", "quantized_vectors", "graph", "payloads",
            "payload_indexes", "id_map", "sparse_vectors", "wal");

    private final Map<String, long[]> bytes = new LinkedHashMap<>();

    public MemoryUsage() {
        for (String c : COMPONENTS) {
            bytes.put(c, new long[2]);
        }
    }

    private long[] of(String component) {
        long[] b = bytes.get(component);
        if (b == null) {
            throw new IllegalArgumentException("unknown component " + component + "; known: " + COMPONENTS);
        }
        return b;
    }

    /** Adds RAM bytes to a component. */
    public MemoryUsage ram(String component, long n) {
        of(component)[0] += Math.max(0, n);
        return this;
    }

    /** Adds disk bytes to a component. */
    public MemoryUsage disk(String component, long n) {
        of(component)[1] += Math.max(0, n);
        return this;
    }

    public long ram(String component) {
        return of(component)[0];
    }

    public long disk(String component) {
        return of(component)[1];
    }

    /** RAM bytes over every component. */
    public long ram() {
        return bytes.values().stream().mapToLong(b -> b[0]).sum();
    }

    /** Disk bytes over every component. */
    public long disk() {
        return bytes.values().stream().mapToLong(b -> b[1]).sum();
    }
}
