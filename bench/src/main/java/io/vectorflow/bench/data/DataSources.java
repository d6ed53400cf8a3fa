package io.vectorflow.bench.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a data-set name given on the command line into vectors:
 * <ul>
 *   <li>{@code siftsmall}, {@code bigann10k}: the sets shipped beside the repository in
 *       {@code shared/datasets} (found by walking up from the working directory, or under
 *       {@code $VECTORFLOW_DATASETS});
 *   <li>{@code synthetic:N,D} (or {@code synthetic:NxD}): the clustered generator, cached with
 *       exact ground truth;
 *   <li>a directory laid out the ANN-benchmark way ({@code *_base.fvecs}/{@code .bvecs},
 *       {@code *_query.*}, {@code *_groundtruth.ivecs}), e.g. SIFT1M or GIST1M as distributed;
 *   <li>an ann-benchmarks HDF5 file ({@code .hdf5}/{@code .h5}: {@code train}, {@code test},
 *       {@code neighbors} and a {@code distance} attribute), e.g. glove-100-angular.hdf5.
 * </ul>
 */
public final class DataSources {

    /** A loaded data set and the metric it is meant to be searched with (null when it does not say). */
    public record Loaded(Dataset data, Metric metric) {}

    private static final Pattern SYNTHETIC = Pattern.compile("synthetic:(\\d+)[,x](\\d+)");

    private DataSources() {}

    /**
     * Loads {@code spec}.
     *
     * @param queries  number of queries for synthetic sets
     * @param cacheDir where synthetic sets are cached
     */
    public static Loaded load(String spec, int queries, long seed, Path cacheDir, Consumer<String> log) throws IOException {
        Matcher m = SYNTHETIC.matcher(spec);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1));
            int d = Integer.parseInt(m.group(2));
            if (n <= 0 || d <= 0) {
                throw new IllegalArgumentException("synthetic data needs positive N and D: " + spec);
            }
            return new Loaded(SyntheticData.cached(n, d, queries, seed, cacheDir, log), Metrics.EUCLIDEAN);
        }
        Path path = Path.of(spec);
        if (!Files.exists(path) && !spec.contains("/")) {
            Path shared = sharedDataset(spec);
            if (shared != null) {
                path = shared;
            }
        }
        if (Files.isDirectory(path)) {
            return new Loaded(Dataset.load(path, 0), Metrics.EUCLIDEAN);
        }
        String file = path.getFileName().toString().toLowerCase();
        if (Files.isRegularFile(path) && (file.endsWith(".hdf5") || file.endsWith(".h5"))) {
            return readHdf5(path);
        }
        throw new IllegalArgumentException("unknown data set '" + spec + "': give siftsmall, bigann10k, synthetic:N,D, "
                + "an fvecs/bvecs directory or an ann-benchmarks .hdf5 file");
    }

    /** The directory of a data set shipped in {@code shared/datasets}, or null. */
    public static Path sharedDataset(String name) {
        String env = System.getenv("VECTORFLOW_DATASETS");
        if (env != null && Files.isDirectory(Path.of(env, name))) {
            return Path.of(env, name);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("datasets").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Reads an ann-benchmarks file: {@code train} (base vectors), {@code test} (queries),
     * {@code neighbors} (true neighbours by the file's own metric) and the root attribute
     * {@code distance} ({@code euclidean} or {@code angular}, which is cosine).
     */
    static Loaded readHdf5(Path path) throws IOException {
        try (HdfFile hdf = new HdfFile(path)) {
            float[][] train = floats(hdf.getDatasetByPath("train").getData(), "train");
            float[][] test = floats(hdf.getDatasetByPath("test").getData(), "test");
            int[][] neighbors = hdf.getChildren().containsKey("neighbors")
                    ? ints(hdf.getDatasetByPath("neighbors").getData()) : null;
            Attribute distance = hdf.getAttribute("distance");
            String metricName = distance == null ? "euclidean" : String.valueOf(distance.getData());
            Metric metric = switch (metricName) {
                case "euclidean" -> Metrics.EUCLIDEAN;
                case "angular", "cosine" -> Metrics.COSINE;
                case "dot", "ip" -> Metrics.DOT;
                default -> throw new IOException(path + ": unsupported distance '" + metricName + "'");
            };
            String name = path.getFileName().toString().replaceFirst("\\.(hdf5|h5)$", "");
            return new Loaded(new Dataset(name, train, test, neighbors), metric);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + path + " as an ann-benchmarks HDF5 file: " + e.getMessage(), e);
        }
    }

    private static float[][] floats(Object data, String what) throws IOException {
        if (data instanceof float[][] f) {
            return f;
        }
        if (data instanceof double[][] d) {
            float[][] out = new float[d.length][];
            for (int i = 0; i < d.length; i++) {
                out[i] = new float[d[i].length];
                for (int j = 0; j < d[i].length; j++) {
                    out[i][j] = (float) d[i][j];
                }
            }
            return out;
        }
        throw new IOException("'" + what + "' is not a 2-D float array");
    }

    private static int[][] ints(Object data) throws IOException {
        if (data instanceof int[][] i) {
            return i;
        }
        if (data instanceof long[][] l) {
            int[][] out = new int[l.length][];
            for (int r = 0; r < l.length; r++) {
                out[r] = new int[l[r].length];
                for (int c = 0; c < l[r].length; c++) {
                    out[r][c] = Math.toIntExact(l[r][c]);
                }
            }
            return out;
        }
        throw new IOException("'neighbors' is not a 2-D integer array");
    }
}
