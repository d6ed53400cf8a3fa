package io.vectorflow.bench.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectorflow.bench.data.DataSources;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.eval.AnnBenchmark;
import io.vectorflow.core.eval.AnnEngine;
import io.vectorflow.core.eval.VectorFlowEngine;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every engine of the comparison, driven through the same harness on the same data, must find
 * the true neighbours: a broken adapter (wrong ordinals, wrong metric, unsorted results) would
 * show up here as low recall rather than as a fast, meaningless row in a report.
 */
class PeerEnginesTest {

    private static Dataset data;

    @BeforeAll
    static void load() throws Exception {
        LogCapture.install();
        Path dir = DataSources.sharedDataset("siftsmall");
        assumeTrue(dir != null, "shared/datasets/siftsmall not found");
        Dataset full = Dataset.load(dir, 0);
        // 3,000 base vectors and 100 queries; ground truth is recomputed for the subset.
        data = new Dataset("siftsmall-3k", Arrays.copyOf(full.base(), 3000), Arrays.copyOf(full.queries(), 100), null);
    }

    private static AnnBenchmark.Result run(Supplier<? extends AnnEngine> engine, Metric metric) throws Exception {
        AnnBenchmark.Config config = new AnnBenchmark.Config(metric, new HnswParams(16, 100, 42), new int[] {64}, 2, 10,
                0.05, false);
        return new AnnBenchmark(data, config, null).run(engine);
    }

    @Test
    void luceneFindsTheTrueNeighboursWithTheVectorApi() throws Exception {
        for (Metric metric : new Metric[] {Metrics.EUCLIDEAN, Metrics.COSINE}) {
            AnnBenchmark.Result r = run(LuceneHnswEngine::new, metric);
            assertThat(r.results().getFirst().recall()).as(metric.name()).isGreaterThanOrEqualTo(0.95);
            assertThat(r.bytesPerVector()).isGreaterThan(128 * 4);
            assertThat(LogCapture.isVectorized(r.kernels())).as(r.kernels()).isTrue();
        }
    }

    @Test
    void jvectorFindsTheTrueNeighboursWithTheVectorApi() throws Exception {
        for (Metric metric : new Metric[] {Metrics.EUCLIDEAN, Metrics.COSINE}) {
            AnnBenchmark.Result r = run(JVectorEngine::new, metric);
            assertThat(r.results().getFirst().recall()).as(metric.name()).isGreaterThanOrEqualTo(0.95);
            assertThat(LogCapture.isVectorized(r.kernels())).as(r.kernels()).isTrue();
        }
    }

    @Test
    void vectorFlowThroughTheSameHarness() throws Exception {
        AnnBenchmark.Result r = run(VectorFlowEngine::new, Metrics.EUCLIDEAN);
        assertThat(r.results().getFirst().recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(r.results().getFirst().distEvals()).isGreaterThan(0).isLessThan(3000);
    }

    /** The hnswlib harness, where its build tools are present (./vectorflow compare installs them). */
    @Test
    void hnswlibHarnessReportsTheSameShape(@TempDir Path tmp) throws Exception {
        Path peers = Path.of("peers").toAbsolutePath();
        Path binary = peers.resolve("../target/peers/hnswlib_bench").normalize();
        assumeTrue(Files.exists(Path.of("/usr/include/hnswlib/hnswlib.h")) && Files.isDirectory(peers),
                "libhnswlib-dev not installed");
        NativePeer.setup(peers, line -> { });
        assertThat(binary).isExecutable();
        AnnBenchmark.Config config = new AnnBenchmark.Config(Metrics.EUCLIDEAN, new HnswParams(16, 100, 42),
                new int[] {16, 64}, 2, 10, 0.05, false);
        AnnBenchmark bench = new AnnBenchmark(data, config, null);
        Path staged = NativePeer.stage(data, Metrics.EUCLIDEAN, bench, tmp);
        AnnBenchmark.Result r = NativePeer.HNSWLIB.run(peers, staged, data, config, line -> { });
        assertThat(r.engine()).isEqualTo("hnswlib");
        assertThat(r.n()).isEqualTo(3000);
        assertThat(r.results()).extracting(AnnBenchmark.Row::ef).containsExactly(16, 64);
        assertThat(r.results().get(1).recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(r.results().get(1).distEvals()).isGreaterThan(r.results().get(0).distEvals());
    }
}
