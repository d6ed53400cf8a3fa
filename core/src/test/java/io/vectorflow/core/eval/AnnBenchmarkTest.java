package io.vectorflow.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnBenchmarkTest {

    @Test
    void measuresAnEngineAndRoundTripsItsJsonShape(@TempDir Path cache) throws Exception {
        Dataset data = SyntheticData.cached(2000, 16, 50, 3, cache, s -> { });
        AnnBenchmark.Config config = new AnnBenchmark.Config(Metrics.EUCLIDEAN, new HnswParams(16, 100, 42),
                new int[] {4, 64}, 2, 10, 0.02, false);
        AnnBenchmark.Result r = new AnnBenchmark(data, config, null).run();

        assertThat(r.engine()).isEqualTo("vectorflow");
        assertThat(r.n()).isEqualTo(2000);
        assertThat(r.results()).extracting(AnnBenchmark.Row::ef).containsExactly(4, 64);
        AnnBenchmark.Row narrow = r.results().get(0);
        AnnBenchmark.Row wide = r.results().get(1);
        assertThat(wide.recall()).isGreaterThanOrEqualTo(0.95).isGreaterThanOrEqualTo(narrow.recall());
        assertThat(wide.distEvals()).isGreaterThan(narrow.distEvals());
        assertThat(wide.qps1t()).isPositive();
        assertThat(r.bytesPerVector()).isGreaterThan(16 * 4);

        assertThat(AnnBenchmark.Result.fromMap(r.toMap())).isEqualTo(r);
    }

    @Test
    void bestQpsCountsOnlyRowsThatReachTheRecall() {
        List<AnnBenchmark.Row> rows = List.of(new AnnBenchmark.Row(8, 0.90, 9000, 0, 0, 0, 0, 0, 0),
                new AnnBenchmark.Row(16, 0.96, 5000, 0, 0, 0, 0, 0, 0), new AnnBenchmark.Row(32, 0.99, 3000, 0, 0, 0, 0, 0, 0));
        AnnBenchmark.Result r = new AnnBenchmark.Result("e", "d", 1, 1, "euclidean", 16, 100, 1, 10, 1, 1, "k", rows);
        assertThat(r.bestQpsAtRecall(0.95)).isEqualTo(5000);
        assertThat(r.bestQpsAtRecall(0.995)).isZero();
    }

    @Test
    void qpsAtRecallInterpolatesBetweenTheRowsAroundTheTarget() {
        List<AnnBenchmark.Row> rows = List.of(new AnnBenchmark.Row(8, 0.90, 9000, 0, 0, 0, 0, 0, 0),
                new AnnBenchmark.Row(16, 0.96, 4000, 0, 0, 0, 0, 0, 0), new AnnBenchmark.Row(32, 0.99, 3000, 0, 0, 0, 0, 0, 0));
        AnnBenchmark.Result r = new AnnBenchmark.Result("e", "d", 1, 1, "euclidean", 16, 100, 1, 10, 1, 1, "k", rows);
        // log-linear between (0.90, 9000) and (0.96, 4000): halfway is the geometric mean 6000
        assertThat(r.qpsAtRecall(0.93)).isCloseTo(6000, within(1e-6));
        assertThat(r.qpsAtRecall(0.96)).isCloseTo(4000, within(1e-6));
        assertThat(r.qpsAtRecall(0.85)).isEqualTo(9000); // nothing faster below: the fastest row reaching it
        assertThat(r.qpsAtRecall(0.995)).isZero();
        // a recall a hair under the target moves the answer a hair, not a whole ef step
        List<AnnBenchmark.Row> nudged = List.of(new AnnBenchmark.Row(8, 0.9499, 9000, 0, 0, 0, 0, 0, 0),
                new AnnBenchmark.Row(16, 0.96, 4000, 0, 0, 0, 0, 0, 0));
        AnnBenchmark.Result n = new AnnBenchmark.Result("e", "d", 1, 1, "euclidean", 16, 100, 1, 10, 1, 1, "k", nudged);
        assertThat(n.qpsAtRecall(0.95)).isGreaterThan(8900);
    }
}
