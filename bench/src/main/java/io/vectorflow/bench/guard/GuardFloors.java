package io.vectorflow.bench.guard;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The committed floors the performance guard holds VectorFlow to ({@code bench/guard.properties}):
 * <ul>
 *   <li>{@code qps_ratio_floor}: VectorFlow's single-thread QPS at recall@10 0.95 divided by
 *       Lucene HNSW's, measured side by side in the same run, must not fall below it;
 *       {@code qps_ratio_floor.<dataset>} sets it for one data set;
 *   <li>{@code recall_floor.<dataset>}: VectorFlow's recall@10 at the default ef;
 *   <li>{@code bytes_per_vector.<dataset>}: VectorFlow's index memory per vector, which may not
 *       grow by more than {@code bytes_tolerance} (a share; 0.01 is 1%).
 * </ul>
 * Raise the floors in the same commit that makes VectorFlow faster or leaner.
 */
public record GuardFloors(Properties values) {

    /** Reads a floors file. */
    public static GuardFloors read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new GuardFloors(p);
    }

    /** The speed-ratio floor for {@code dataset}: its own when set, else the common one. */
    public double qpsRatioFloor(String dataset) {
        return values.containsKey("qps_ratio_floor." + dataset) ? number("qps_ratio_floor." + dataset)
                : number("qps_ratio_floor");
    }

    public double bytesTolerance() {
        return number("bytes_tolerance");
    }

    public double recallFloor(String dataset) {
        return number("recall_floor." + dataset);
    }

    public double bytesPerVector(String dataset) {
        return number("bytes_per_vector." + dataset);
    }

    private double number(String key) {
        String v = values.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("guard floors: '" + key + "' is missing");
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("guard floors: '" + key + "' is not a number: " + v);
        }
    }
}
