package io.vectorflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vectorflow.bench.data.DataSources;
import io.vectorflow.bench.engines.JVectorEngine;
import io.vectorflow.bench.engines.LogCapture;
import io.vectorflow.bench.engines.LuceneHnswEngine;
import io.vectorflow.bench.engines.NativePeer;
import io.vectorflow.bench.report.MarkdownReport;
import io.vectorflow.bench.report.RecallQpsChart;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.eval.AnnBenchmark;
import io.vectorflow.core.eval.VectorFlowEngine;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code compare}: VectorFlow against Lucene HNSW and jvector (in this JVM, Vector API on),
 * hnswlib (C++, {@code -march=native}) and FAISS (Python, generic build), on the same data with
 * the same M, efConstruction and ef sweep. Writes, per data set, a markdown table, the results as
 * JSON (one object per engine, the {@code vectorflow bench --json} shape) and a recall/QPS PNG.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Runs VectorFlow and its peers on the same data and writes tables, JSON and recall/QPS plots.",
                "Data sets: siftsmall, bigann10k (shared/datasets), synthetic:N,D, an fvecs/bvecs directory"
                        + " (SIFT1M, GIST1M) or an ann-benchmarks .hdf5 file."})
final class CompareCommand implements Callable<Integer> {

    static final List<String> ALL_ENGINES = List.of("vectorflow", "vectorflow-int8", "vectorflow-binary", "vectorflow-product", "lucene-hnsw",
            "lucene-int7", "lucene-bbq", "jvector", "hnswlib", "faiss", "faiss-sq8");

    @Option(names = "--dataset", split = ",", paramLabel = "SET",
            defaultValue = "siftsmall,bigann10k,synthetic:1000000x128",
            description = "data sets, comma separated or repeated (default ${DEFAULT-VALUE})")
    List<String> datasets;

    @Option(names = "--engines", split = ",", defaultValue = "vectorflow,lucene-hnsw,jvector,hnswlib,faiss",
            description = "engines to run (default ${DEFAULT-VALUE})")
    List<String> engines;

    @Option(names = "--metric", defaultValue = "auto",
            description = "euclidean, cosine or dot; auto: the data set's own (default ${DEFAULT-VALUE})")
    String metric;

    @Option(names = "--m", defaultValue = "16", description = "links per node (default ${DEFAULT-VALUE})")
    int m;

    @Option(names = "--ef-construction", defaultValue = "200", description = "build beam width (default ${DEFAULT-VALUE})")
    int efConstruction;

    @Option(names = "--ef", split = ",", defaultValue = "10,16,24,32,48,64,96,128,192",
            description = "search beam widths (default ${DEFAULT-VALUE})")
    int[] efs;

    @Option(names = "--threads", description = "build and all-thread query threads (default: all cores)")
    Integer threads;

    @Option(names = "--k", defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seconds", defaultValue = "1.0", description = "time per QPS measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--queries", defaultValue = "1000", description = "queries for synthetic sets (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", defaultValue = "42", description = "seed for data and graph levels (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--warm-build-below", defaultValue = "200000",
            description = "JVM engines build once untimed first on sets smaller than this, so short builds are timed"
                    + " with compiled code, as the native peers run (default ${DEFAULT-VALUE})")
    int warmBuildBelow;

    @Option(names = "--out", defaultValue = "bench/results", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--cache-dir", description = "where synthetic sets are cached (default ~/.cache/vectorflow/datasets)")
    Path cacheDir;

    @Option(names = "--int8-oversampling", defaultValue = "2",
            description = "vectorflow-int8: candidates rescored per hit (default ${DEFAULT-VALUE})")
    double int8Oversampling;

    @Option(names = "--binary-oversampling", defaultValue = "4",
            description = "vectorflow-binary: candidates rescored per hit (default ${DEFAULT-VALUE})")
    double binaryOversampling;

    @Option(names = "--pq-compression", defaultValue = "16",
            description = "vectorflow-product: 4, 8, 16, 32 or 64 times smaller than the floats (default ${DEFAULT-VALUE})")
    int pqCompression;

    @Option(names = "--pq-oversampling", defaultValue = "4",
            description = "vectorflow-product: candidates rescored per hit (default ${DEFAULT-VALUE})")
    double pqOversampling;

    @Option(names = "--allow-scalar", description = "report a JVM engine that runs without the Vector API instead of failing")
    boolean allowScalar;

    @Override
    public Integer call() throws Exception {
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        for (String e : engines) {
            if (!ALL_ENGINES.contains(e)) {
                throw new IllegalArgumentException("unknown engine '" + e + "'; choose from " + ALL_ENGINES);
            }
        }
        PrintStream log = System.err;
        Consumer<String> logger = line -> log.println(line);
        Path peers = null;
        if (engines.contains("hnswlib") || engines.contains("faiss") || engines.contains("faiss-sq8")) {
            peers = peersDir();
            NativePeer.setup(peers, logger);
        }
        Files.createDirectories(out);
        boolean invalid = false;
        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        for (String spec : datasets) {
            DataSources.Loaded loaded = DataSources.load(spec, queries, seed,
                    cacheDir != null ? cacheDir : SyntheticData.defaultCacheRoot(), logger);
            Dataset data = loaded.data();
            Metric chosen = metric.equals("auto") ? loaded.metric() : Metrics.byName(metric);
            log.printf("== %s: %,d × %d, %,d queries, %s%n", data.name(), data.base().length, data.dimension(),
                    data.queries().length, chosen.name());
            AnnBenchmark.Config config = new AnnBenchmark.Config(chosen, new HnswParams(m, efConstruction, seed), efs,
                    threadCount, k, seconds, data.base().length < warmBuildBelow);
            AnnBenchmark bench = new AnnBenchmark(data, config, logger);
            bench.groundTruth();
            List<AnnBenchmark.Result> results = new ArrayList<>();
            Path staging = null;
            for (String engine : engines) {
                try {
                    AnnBenchmark.Result r = switch (engine) {
                        case "vectorflow" -> bench.run(VectorFlowEngine::new);
                        case "vectorflow-int8" -> bench.run(() -> new VectorFlowEngine(new io.vectorflow.core.quant.QuantizationSpec(
                                io.vectorflow.core.quant.QuantizationSpec.Scheme.INT8, 0.99f, true), int8Oversampling));
                        case "vectorflow-binary" -> bench.run(() -> new VectorFlowEngine(new io.vectorflow.core.quant.QuantizationSpec(
                                io.vectorflow.core.quant.QuantizationSpec.Scheme.BINARY, 0.99f, true), binaryOversampling));
                        case "vectorflow-product" -> bench.run(() -> new VectorFlowEngine(new io.vectorflow.core.quant.QuantizationSpec(
                                io.vectorflow.core.quant.QuantizationSpec.Scheme.PRODUCT, 0.99f, true, pqCompression), pqOversampling));
                        case "lucene-hnsw" -> bench.run(LuceneHnswEngine::new);
                        case "lucene-int7" -> bench.run(() -> new io.vectorflow.bench.engines.LuceneQuantizedEngine(
                                io.vectorflow.bench.engines.LuceneQuantizedEngine.Kind.INT7, int8Oversampling));
                        case "lucene-bbq" -> bench.run(() -> new io.vectorflow.bench.engines.LuceneQuantizedEngine(
                                io.vectorflow.bench.engines.LuceneQuantizedEngine.Kind.BBQ, binaryOversampling));
                        case "jvector" -> bench.run(JVectorEngine::new);
                        default -> {
                            if (staging == null) {
                                staging = NativePeer.stage(data, chosen, bench, Files.createTempDirectory("vectorflow-peers"));
                            }
                            NativePeer peer = switch (engine) {
                                case "hnswlib" -> NativePeer.HNSWLIB;
                                case "faiss-sq8" -> NativePeer.FAISS_SQ8;
                                default -> NativePeer.FAISS;
                            };
                            yield peer.run(peers, staging, data, config, logger);
                        }
                    };
                    if (isJvm(engine) && !LogCapture.isVectorized(r.kernels())) {
                        log.println("INVALID: " + engine + " did not run with the Vector API: " + r.kernels());
                        invalid = true;
                    }
                    results.add(r);
                } catch (Exception e) {
                    failures.add(data.name() + "/" + engine + ": " + e.getMessage());
                    log.println("FAILED: " + engine + " on " + data.name() + ": " + e);
                }
            }
            if (staging != null) {
                deleteTree(staging.getParent());
            }
            if (!results.isEmpty()) {
                report.append(write(data, config, results));
            }
        }
        System.out.print(report);
        failures.forEach(f -> log.println("FAILED: " + f));
        if (invalid && !allowScalar) {
            log.println("the run is invalid: a JVM engine ran without the Vector API (see above)");
            return 1;
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private static boolean isJvm(String engine) {
        return engine.startsWith("vectorflow") || engine.startsWith("lucene") || engine.equals("jvector");
    }

    private String write(Dataset data, AnnBenchmark.Config config, List<AnnBenchmark.Result> results) throws IOException {
        String file = data.name().replaceAll("[^A-Za-z0-9._-]", "_");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve(file + ".json").toFile(), results.stream().map(AnnBenchmark.Result::toMap).toList());
        String title = String.format(Locale.ROOT, "%s (%,d × %d, %s), M=%d efC=%d", data.name(), data.base().length,
                data.dimension(), config.metric().name(), config.params().m(), config.params().efConstruction());
        RecallQpsChart.write(results, title, out.resolve(file + ".png"));
        String md = "### " + title + "\n\n" + MarkdownReport.summary(results) + "\n" + MarkdownReport.table(results)
                + "\n![recall vs QPS](" + file + ".png)\n\n";
        Files.writeString(out.resolve(file + ".md"), md);
        return md;
    }

    /** {@code bench/peers}: beside the jar's {@code target} directory, or {@code -Dvectorflow.peers}. */
    static Path peersDir() throws Exception {
        String prop = System.getProperty("vectorflow.peers");
        if (prop != null) {
            return Path.of(prop);
        }
        Path jar = Path.of(CompareCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path candidate = jar.getParent().getParent().resolve("peers");
        if (!Files.isDirectory(candidate)) {
            throw new IOException("bench/peers not found next to " + jar + "; pass -Dvectorflow.peers=DIR");
        }
        return candidate;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
