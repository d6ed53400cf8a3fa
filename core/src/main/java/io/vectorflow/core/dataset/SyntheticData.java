package io.vectorflow.core.dataset;

import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The clustered synthetic data every VectorFlow test and benchmark uses, so figures compare:
 *
 * <ul>
 *   <li>latent dimension 32; 256 cluster centres drawn from N(0, 3²) per latent coordinate;
 *   <li>a point is a uniformly chosen centre plus N(0, 1) noise per latent coordinate, mapped to
 *       D dimensions by a fixed Gaussian matrix scaled by 1/√32, plus N(0, 0.05²) noise per
 *       output dimension; queries are drawn the same way from their own random stream;
 *   <li>float32; exact ground truth is the top 100 by Euclidean distance.
 * </ul>
 *
 * Randomness comes from {@link SplittableRandom} streams derived from the seed: one for centres
 * and the matrix, one per block of {@value #BLOCK} points, so the data does not depend on how
 * many threads generate it.
 */
public final class SyntheticData {

    public static final int LATENT_DIM = 32;
    public static final int CENTRES = 256;
    public static final int GROUND_TRUTH_K = 100;
    private static final int BLOCK = 10_000;
    private static final long QUERY_SALT = 0x5EEDC0FFEEL;

    private final int dim;
    private final long seed;
    private final float[][] centres = new float[CENTRES][LATENT_DIM];
    private final float[][] projection;

    public SyntheticData(int dim, long seed) {
        this.dim = dim;
        this.seed = seed;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (float[] c : centres) {
            for (int j = 0; j < LATENT_DIM; j++) {
                c[j] = (float) (3.0 * rnd.nextGaussian());
            }
        }
        projection = new float[dim][LATENT_DIM];
        double scale = 1.0 / Math.sqrt(LATENT_DIM);
        for (float[] row : projection) {
            for (int j = 0; j < LATENT_DIM; j++) {
                row[j] = (float) (scale * rnd.nextGaussian());
            }
        }
    }

    /** {@code n} base points (deterministic for this seed and dimension). */
    public float[][] base(int n) {
        return generate(n, 0L);
    }

    /** {@code n} query points, from a stream independent of the base points. */
    public float[][] queries(int n) {
        return generate(n, QUERY_SALT);
    }

    private float[][] generate(int n, long salt) {
        float[][] out = new float[n][];
        int blocks = (n + BLOCK - 1) / BLOCK;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + salt + b + 1);
            float[] latent = new float[LATENT_DIM];
            for (int i = b * BLOCK; i < Math.min(n, (b + 1) * BLOCK); i++) {
                float[] c = centres[rnd.nextInt(CENTRES)];
                for (int j = 0; j < LATENT_DIM; j++) {
                    latent[j] = c[j] + (float) rnd.nextGaussian();
                }
                float[] v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    float[] row = projection[d];
                    float s = 0f;
                    for (int j = 0; j < LATENT_DIM; j++) {
                        s += row[j] * latent[j];
                    }
                    v[d] = s + (float) (0.05 * rnd.nextGaussian());
                }
                out[i] = v;
            }
        });
        return out;
    }

    /**
     * The synthetic set of {@code n} base and {@code queries} query vectors with exact ground truth,
     * from the cache directory when present, otherwise generated, solved exactly and written there.
     *
     * @param progress receives human-readable progress lines (may be null)
     */
    public static Dataset cached(int n, int dim, int queries, long seed, Path cacheRoot, Consumer<String> progress)
            throws IOException {
        String name = "synthetic-" + n + "x" + dim + "-q" + queries + "-s" + seed;
        Path dir = cacheRoot.resolve(name);
        Path gt = dir.resolve("synthetic_groundtruth.ivecs");
        if (Files.exists(gt)) {
            Dataset d = Dataset.load(dir, 0);
            return new Dataset(name, d.base(), d.queries(), d.groundTruth());
        }
        Files.createDirectories(dir);
        Consumer<String> log = progress == null ? s -> { } : progress;
        log.accept("generating " + name + " (cached in " + dir + ")");
        SyntheticData gen = new SyntheticData(dim, seed);
        float[][] base = gen.base(n);
        float[][] qs = gen.queries(queries);
        VectorStore store = VectorStore.allocate(dim, n);
        for (float[] v : base) {
            store.append(v);
        }
        int threads = Runtime.getRuntime().availableProcessors();
        int step = Math.max(1, queries / 20);
        long start = System.nanoTime();
        int[][] truth = new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(qs, Math.min(GROUND_TRUTH_K, n), threads, done -> {
            if (done % step == 0 || done == queries) {
                log.accept(String.format("exact ground truth: %d/%d queries (%.0f s)", done, queries,
                        (System.nanoTime() - start) / 1e9));
            }
        });
        VecsFiles.writeFvecs(dir.resolve("synthetic_base.fvecs"), base);
        VecsFiles.writeFvecs(dir.resolve("synthetic_query.fvecs"), qs);
        VecsFiles.writeIvecs(gt, truth);
        return new Dataset(name, base, qs, truth);
    }

    /** {@code $VECTORFLOW_CACHE_DIR/datasets}, else {@code ~/.cache/vectorflow/datasets}. */
    public static Path defaultCacheRoot() {
        String env = System.getenv("VECTORFLOW_CACHE_DIR");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "vectorflow");
        return root.resolve("datasets");
    }
}
