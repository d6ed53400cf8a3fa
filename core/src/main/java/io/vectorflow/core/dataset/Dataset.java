package io.vectorflow.core.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Base vectors, query vectors and, where known, the true nearest neighbours of each query.
 *
 * @param groundTruth per query, base ordinals nearest first (at least k of them); null if unknown
 */
public record Dataset(String name, float[][] base, float[][] queries, int[][] groundTruth) {

    public int dimension() {
        return base.length == 0 ? 0 : base[0].length;
    }

    /**
     * Loads a directory laid out the ANN-benchmark way: {@code *_base.fvecs} (or {@code .bvecs}),
     * {@code *_query.*} and optionally {@code *_groundtruth.ivecs}.
     *
     * @param limit read at most this many base vectors (≤ 0: all); ground truth is then dropped
     *              unless the whole base was read, since it refers to the full set
     */
    public static Dataset load(Path dir, int limit) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("dataset directory not found: " + dir);
        }
        Path base = find(dir, "_base.fvecs", "_base.bvecs");
        Path query = find(dir, "_query.fvecs", "_query.bvecs");
        if (base == null || query == null) {
            throw new IOException("expected *_base.fvecs|bvecs and *_query.fvecs|bvecs in " + dir);
        }
        float[][] b = VecsFiles.readVectors(base, limit);
        float[][] q = VecsFiles.readVectors(query, 0);
        if (q.length > 0 && b.length > 0 && q[0].length != b[0].length) {
            throw new IOException("queries have dimension " + q[0].length + " but base vectors " + b[0].length);
        }
        Path gt = find(dir, "_groundtruth.ivecs");
        int[][] truth = null;
        if (gt != null) {
            truth = VecsFiles.readIvecs(gt, 0);
            if (truth.length != q.length) {
                throw new IOException("ground truth has " + truth.length + " rows for " + q.length + " queries");
            }
            long total = Files.size(base);
            boolean complete = limit <= 0 || (long) limit * (4 + (long) b[0].length
                    * (base.toString().endsWith(".bvecs") ? 1 : 4)) >= total;
            if (!complete) {
                truth = null;
            }
        }
        return new Dataset(dir.getFileName().toString(), b, q, truth);
    }

    private static Path find(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = new ArrayList<>(files.sorted().toList());
            for (String suffix : suffixes) {
                for (Path p : all) {
                    if (p.getFileName().toString().endsWith(suffix)) {
                        return p;
                    }
                }
            }
        }
        return null;
    }
}
