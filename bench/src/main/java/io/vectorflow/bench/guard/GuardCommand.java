package io.vectorflow.bench.guard;

import io.vectorflow.bench.data.DataSources;
import io.vectorflow.bench.engines.LogCapture;
import io.vectorflow.bench.engines.LuceneHnswEngine;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.eval.AnnBenchmark;
import io.vectorflow.core.eval.AnnEngine;
import io.vectorflow.core.eval.VectorFlowEngine;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code guard}: the CI performance guard. On each data set it builds VectorFlow and Lucene HNSW
 * with the same parameters, then measures both over the ef sweep in rounds, the two engines back to
 * back at each ef (the order alternating, so drift in the machine's speed hits both alike), and
 * compares the median of the rounds' speed ratios.
 * Fails (exit 1) when VectorFlow falls below the committed floors ({@link GuardFloors}).
 */
@Command(name = "guard", mixinStandardHelpOptions = true,
        description = "CI performance guard: VectorFlow vs Lucene HNSW in one run, against committed floors.")
public final class GuardCommand implements Callable<Integer> {

    @Option(names = "--dataset", split = ",", defaultValue = "siftsmall,synthetic:100000x128",
            description = "data sets (default ${DEFAULT-VALUE})")
    List<String> datasets;

    @Option(names = "--ef", split = ",", defaultValue = "10,12,16,24,32,48,64,96",
            description = "ef sweep; must contain the default ef " + HnswIndex.DEFAULT_EF_SEARCH + " (default ${DEFAULT-VALUE})")
    int[] efs;

    @Option(names = "--rounds", defaultValue = "5", description = "interleaved measurement rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "0.25", description = "time per measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--floors", defaultValue = "bench/guard.properties", description = "committed floors (default ${DEFAULT-VALUE})")
    Path floorsFile;

    @Option(names = "--cache-dir", description = "where synthetic sets are cached (default ~/.cache/vectorflow/datasets)")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        if (Arrays.stream(efs).noneMatch(ef -> ef == HnswIndex.DEFAULT_EF_SEARCH)) {
            throw new IllegalArgumentException("--ef must include the default ef " + HnswIndex.DEFAULT_EF_SEARCH);
        }
        long started = System.nanoTime();
        GuardFloors floors = GuardFloors.read(floorsFile);
        List<GuardVerdict.Check> checks = new ArrayList<>();
        int threads = Runtime.getRuntime().availableProcessors();
        int guarded = 0;
        for (String spec : datasets) {
            if (!spec.contains(":") && !spec.contains("/") && DataSources.sharedDataset(spec) == null) {
                System.out.println("SKIP " + spec + ": shared/datasets/" + spec + " not found beside the repository");
                continue;
            }
            guarded++;
            Dataset data = DataSources.load(spec, 1000, 42, cacheDir != null ? cacheDir : SyntheticData.defaultCacheRoot(),
                    System.err::println).data();
            AnnBenchmark.Config config = new AnnBenchmark.Config(Metrics.EUCLIDEAN,
                    new HnswParams(HnswIndex.DEFAULT_M, HnswIndex.DEFAULT_EF_CONSTRUCTION, 42), efs, threads, 10, seconds,
                    false);
            AnnBenchmark bench = new AnnBenchmark(data, config, System.err::println);
            bench.groundTruth();
            AnnEngine[] engines = {new VectorFlowEngine(), new LuceneHnswEngine()};
            double[] buildSeconds = new double[engines.length];
            for (int e = 0; e < engines.length; e++) {
                buildSeconds[e] = bench.build(engines[e]);
                for (int ef : efs) {
                    bench.measure(engines[e], ef, 0.1, false); // warm-up
                }
            }
            String luceneKernels = engines[1].kernels();
            if (!LogCapture.isVectorized(luceneKernels)) {
                checks.add(new GuardVerdict.Check(data.name() + " validity", false,
                        "Lucene ran without the Vector API, so the comparison means nothing: " + luceneKernels));
                continue;
            }
            // rows[engine][ef index][round]. Both engines are measured back to back at each ef, in
            // an order that alternates, so a change in the machine's speed lands on both alike and
            // each round's ratio compares measurements taken within a second of each other.
            AnnBenchmark.Row[][][] rows = new AnnBenchmark.Row[engines.length][efs.length][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < efs.length; i++) {
                    for (int turn = 0; turn < engines.length; turn++) {
                        int e = (turn + round + i) % engines.length;
                        rows[e][i][round] = bench.measure(engines[e], efs[i], seconds, false);
                    }
                }
            }
            printSideBySide(bench.result(engines[0], buildSeconds[0], medians(rows[0])),
                    bench.result(engines[1], buildSeconds[1], medians(rows[1])));
            checks.addAll(GuardVerdict.evaluate(data.name(), perRound(bench, engines[0], buildSeconds[0], rows[0]),
                    perRound(bench, engines[1], buildSeconds[1], rows[1]), HnswIndex.DEFAULT_EF_SEARCH, floors));
        }
        if (guarded == 0) {
            throw new IllegalStateException("no data set to guard on");
        }
        System.out.println();
        checks.forEach(System.out::println);
        boolean passed = checks.stream().allMatch(GuardVerdict.Check::passed);
        System.out.printf(Locale.ROOT, "performance guard %s in %.0f s%n", passed ? "passed" : "FAILED",
                (System.nanoTime() - started) / 1e9);
        return passed ? 0 : 1;
    }

    /** One result per round, each over the whole ef sweep. */
    private static List<AnnBenchmark.Result> perRound(AnnBenchmark bench, AnnEngine engine, double buildSeconds,
            AnnBenchmark.Row[][] perEf) {
        List<AnnBenchmark.Result> out = new ArrayList<>();
        for (int round = 0; round < perEf[0].length; round++) {
            List<AnnBenchmark.Row> sweep = new ArrayList<>();
            for (AnnBenchmark.Row[] rounds : perEf) {
                sweep.add(rounds[round]);
            }
            out.add(bench.result(engine, buildSeconds, sweep));
        }
        return out;
    }

    /** Per ef, the row whose single-thread QPS is the median of the rounds. */
    static List<AnnBenchmark.Row> medians(AnnBenchmark.Row[][] perEf) {
        List<AnnBenchmark.Row> out = new ArrayList<>();
        for (AnnBenchmark.Row[] rounds : perEf) {
            AnnBenchmark.Row[] sorted = rounds.clone();
            Arrays.sort(sorted, (a, b) -> Double.compare(a.qps1t(), b.qps1t()));
            out.add(sorted[sorted.length / 2]);
        }
        return out;
    }

    private static void printSideBySide(AnnBenchmark.Result ours, AnnBenchmark.Result lucene) {
        System.out.printf(Locale.ROOT, "%n%s (n=%,d, M=%d, efC=%d): median of interleaved rounds, 1 thread%n", ours.dataset(),
                ours.n(), ours.m(), ours.efConstruction());
        System.out.printf(Locale.ROOT, "%5s | %10s %10s %9s | %10s %10s %9s%n", "ef", "vf recall", "vf QPS", "vf evals",
                "luc recall", "luc QPS", "luc evals");
        for (int i = 0; i < ours.results().size(); i++) {
            AnnBenchmark.Row a = ours.results().get(i);
            AnnBenchmark.Row b = lucene.results().get(i);
            System.out.printf(Locale.ROOT, "%5d | %10.4f %,10.0f %9.0f | %10.4f %,10.0f %9.0f%n", a.ef(), a.recall(),
                    a.qps1t(), a.distEvals(), b.recall(), b.qps1t(), b.distEvals());
        }
        System.out.printf(Locale.ROOT, "bytes/vector: vectorflow %.1f, lucene %.1f; kernels: %s | %s%n",
                ours.bytesPerVector(), lucene.bytesPerVector(), ours.kernels(), lucene.kernels());
    }
}
