package io.vectorflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.eval.AnnBenchmark;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vectorflow bench}: build an index over a data set and report recall, speed and memory. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Builds an HNSW index over a data set and measures recall@k, QPS, latency and memory per ef.",
                "Data: a directory with *_base.fvecs|bvecs, *_query.* and *_groundtruth.ivecs, or generated clustered data",
                "(default: --synthetic " + "100000,128" + ")."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "0..1")
    Source source;

    static final class Source {
        @Option(names = "--dataset", paramLabel = "DIR", description = "ANN-benchmark directory (e.g. ../shared/datasets/siftsmall)")
        Path dataset;

        @Option(names = "--synthetic", paramLabel = "N,D", description = "generated clustered data: N vectors of dimension D (cached with exact ground truth)")
        String synthetic;
    }

    @Option(names = "--queries", defaultValue = "1000", description = "queries for --synthetic (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--limit", defaultValue = "0", description = "use only the first N base vectors of --dataset (ground truth is recomputed)")
    int limit;

    @Option(names = "--metric", defaultValue = "euclidean", description = "euclidean, cosine, dot or manhattan (default ${DEFAULT-VALUE})")
    String metric;

    @Option(names = "--m", defaultValue = "" + HnswIndex.DEFAULT_M, description = "HNSW links per node (default ${DEFAULT-VALUE})")
    int m;

    @Option(names = "--ef-construction", defaultValue = "" + HnswIndex.DEFAULT_EF_CONSTRUCTION, description = "build beam width (default ${DEFAULT-VALUE})")
    int efConstruction;

    @Option(names = "--ef", split = ",", defaultValue = "10,16,32,64,128", description = "search beam widths (default ${DEFAULT-VALUE})")
    int[] efs;

    @Option(names = "--threads", description = "build and all-thread query threads (default: all cores)")
    Integer threads;

    @Option(names = "--k", defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seconds", defaultValue = "1.0", description = "time per QPS measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--seed", defaultValue = "42", description = "seed for generated data and HNSW levels (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--warm-build", description = "build once untimed first, so a short build is timed with compiled code")
    boolean warmBuild;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "where generated data sets are cached (default: $VECTORFLOW_CACHE_DIR/datasets or ~/.cache/vectorflow/datasets)")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (threadCount <= 0) {
            throw new ParameterException(spec.commandLine(), "--threads must be positive");
        }
        if (k <= 0 || m < 2 || efConstruction <= 0 || seconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--k, --ef-construction and --seconds must be positive, --m at least 2");
        }
        for (int ef : efs) {
            if (ef <= 0) {
                throw new ParameterException(spec.commandLine(), "--ef values must be positive: " + ef);
            }
        }
        AnnBenchmark.Config config;
        try {
            config = new AnnBenchmark.Config(Metrics.byName(metric), new HnswParams(m, efConstruction, seed),
                    efs, threadCount, k, seconds, warmBuild);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream err = System.err;
        Dataset data = loadData(err::println);
        err.printf("dataset %s: %,d base vectors, %,d queries, dimension %d%n", data.name(), data.base().length,
                data.queries().length, data.dimension());
        AnnBenchmark.Result result = new AnnBenchmark(data, config, err::println).run();
        printTable(result, System.out);
        if (json != null) {
            writeJson(result, json);
            err.println("wrote " + json);
        }
        return 0;
    }

    /** Data used when neither --dataset nor --synthetic is given. */
    static final String DEFAULT_SYNTHETIC = "100000,128";

    private Dataset loadData(java.util.function.Consumer<String> log) throws Exception {
        if (source == null) {
            source = new Source();
            source.synthetic = DEFAULT_SYNTHETIC;
            log.accept("no --dataset or --synthetic given: using generated data --synthetic " + DEFAULT_SYNTHETIC);
        }
        if (source.dataset != null) {
            Dataset d = Dataset.load(source.dataset, limit);
            if (d.queries().length == 0 || d.base().length == 0) {
                throw new ParameterException(spec.commandLine(), "dataset has no base or no query vectors: " + source.dataset);
            }
            return d;
        }
        String[] parts = source.synthetic.split(",");
        int n, d;
        try {
            n = Integer.parseInt(parts[0].trim());
            d = Integer.parseInt(parts[1].trim());
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "--synthetic expects N,D (e.g. 100000,128), got '" + source.synthetic + "'");
        }
        if (parts.length != 2 || n <= 0 || d <= 0 || queries <= 0) {
            throw new ParameterException(spec.commandLine(), "--synthetic expects positive N,D and --queries > 0");
        }
        return SyntheticData.cached(n, d, queries, seed, cacheDir != null ? cacheDir : SyntheticData.defaultCacheRoot(), log);
    }

    static void printTable(AnnBenchmark.Result r, PrintStream out) {
        out.printf("%s  n=%,d dim=%d metric=%s M=%d efC=%d threads=%d k=%d kernels=%s%n", r.dataset(), r.n(), r.dim(),
                r.metric(), r.m(), r.efConstruction(), r.threads(), r.k(), r.kernels());
        out.printf("build %.2f s (%,.0f vectors/s), %.1f bytes/vector%n", r.buildSeconds(), r.n() / r.buildSeconds(),
                r.bytesPerVector());
        out.printf("%6s %9s %11s %11s %9s %9s %10s %11s %10s%n", "ef", "recall@" + r.k(), "QPS 1t", "QPS all",
                "p50 µs", "p99 µs", "p99.9 µs", "dist evals", "alloc B/q");
        for (AnnBenchmark.Row row : r.results()) {
            out.printf("%6d %9.4f %,11.0f %,11.0f %9.1f %9.1f %10.1f %11.1f %10.1f%n", row.ef(), row.recall(), row.qps1t(),
                    row.qpsAll(), row.p50us(), row.p99us(), row.p999us(), row.distEvals(), row.allocBytesPerQuery());
        }
    }

    static void writeJson(AnnBenchmark.Result r, Path file) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), r.toMap());
    }
}
