package io.vectorflow.server;

import java.util.Arrays;
import java.util.List;

/** Small helpers the resource tests share: bodies, percentiles, process CPU time. */
final class Load {

    private Load() {}

    /** A deterministic vector of {@code dim} components for point {@code id}. */
    static String vector(long id, int dim) {
        StringBuilder b = new StringBuilder("[");
        java.util.SplittableRandom r = new java.util.SplittableRandom(id * 0x9E3779B97F4A7C15L + dim);
        for (int j = 0; j < dim; j++) {
            b.append(j == 0 ? "" : ",").append(Math.round((r.nextDouble() * 2 - 1) * 1000) / 1000.0);
        }
        return b.append(']').toString();
    }

    /** An upsert body of points {@code [from, from + count)}, each with {@code payload.apply(id)} (JSON object text). */
    static String upsert(long from, int count, int dim, java.util.function.LongFunction<String> payload) {
        StringBuilder b = new StringBuilder("{\"points\": [");
        for (long id = from; id < from + count; id++) {
            b.append(id == from ? "" : ",").append("{\"id\": ").append(id).append(", \"vector\": ").append(vector(id, dim))
                    .append(", \"payload\": ").append(payload.apply(id)).append('}');
        }
        return b.append("]}").toString();
    }

    /** A text of {@code length} characters that depends on {@code id} (so payloads can be checked). */
    static String text(long id, int length) {
        String unit = Long.toString(id * 2654435761L, 36) + "-";
        StringBuilder b = new StringBuilder(length + unit.length());
        while (b.length() < length) {
            b.append(unit);
        }
        return b.substring(0, length);
    }

    /** The {@code q}-quantile (0..1) of the values, in their unit. */
    static long percentile(List<Long> values, double q) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        if (v.length == 0) {
            return -1;
        }
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.floor(q * v.length))];
    }

    /** CPU time a process has used, in milliseconds (user and system, from {@code /proc}). */
    static long cpuMillis(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        return ticks * 10; // USER_HZ is 100 on Linux
    }
}
