package io.vectorflow.bench.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.eval.AnnBenchmark.Result;
import io.vectorflow.core.eval.AnnBenchmark.Row;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class GuardVerdictTest {

    private static final GuardFloors FLOORS = floors(Map.of("qps_ratio_floor", "0.8", "bytes_tolerance", "0.01",
            "recall_floor.set", "0.95", "bytes_per_vector.set", "650"));

    private static GuardFloors floors(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        return new GuardFloors(p);
    }

    /** A result whose rows are (ef, recall, qps) triples. */
    private static Result result(String engine, double bytesPerVector, double[]... rows) {
        List<Row> list = java.util.Arrays.stream(rows)
                .map(r -> new Row((int) r[0], r[1], r[2], r[2], 10, 20, 30, 100, 0)).toList();
        return new Result(engine, "set", 1000, 16, "euclidean", 16, 100, 1, 10, 1.0, bytesPerVector, "k", list);
    }

    private static boolean passed(List<GuardVerdict.Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals("set " + name)).findFirst().orElseThrow().passed();
    }

    @Test
    void comparesQpsAtTargetRecallNotAtEqualEf() {
        // VectorFlow reaches 0.95 at ef 16 (1,000 QPS); Lucene between ef 16 and 32, where its curve
        // reads 2000 × (1100/2000)^0.8 ≈ 1,240 QPS at exactly 0.95.
        Result ours = result("vectorflow", 650, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        Result lucene = result("lucene-hnsw", 800, new double[] {16, 0.93, 2000}, new double[] {32, 0.955, 1100},
                new double[] {64, 0.99, 500});
        List<GuardVerdict.Check> checks = GuardVerdict.evaluate("set", ours, lucene, 64, FLOORS);
        assertThat(passed(checks, "speed")).as("1000/1240 = 0.81 ≥ 0.8").isTrue();
        assertThat(checks).allMatch(GuardVerdict.Check::passed);
    }

    @Test
    void failsWhenVectorFlowFallsBelowTheRatioFloor() {
        Result ours = result("vectorflow", 650, new double[] {16, 0.96, 790}, new double[] {64, 0.99, 300});
        Result lucene = result("lucene-hnsw", 800, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        List<GuardVerdict.Check> checks = GuardVerdict.evaluate("set", ours, lucene, 64, FLOORS);
        assertThat(passed(checks, "speed")).isFalse();
        assertThat(passed(checks, "recall")).isTrue();
    }

    @Test
    void failsWhenVectorFlowNeverReachesTheTargetRecall() {
        Result ours = result("vectorflow", 650, new double[] {16, 0.90, 5000}, new double[] {64, 0.94, 3000});
        Result lucene = result("lucene-hnsw", 800, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        List<GuardVerdict.Check> checks = GuardVerdict.evaluate("set", ours, lucene, 64, FLOORS);
        assertThat(passed(checks, "speed")).isFalse();
        assertThat(passed(checks, "recall")).as("0.94 < 0.95 at the default ef").isFalse();
    }

    @Test
    void failsWhenMemoryGrowsMoreThanTheTolerance() {
        Result lucene = result("lucene-hnsw", 800, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        Result within = result("vectorflow", 656, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        Result beyond = result("vectorflow", 657, new double[] {16, 0.96, 1000}, new double[] {64, 0.99, 400});
        assertThat(passed(GuardVerdict.evaluate("set", within, lucene, 64, FLOORS), "memory")).as("+0.9%").isTrue();
        assertThat(passed(GuardVerdict.evaluate("set", beyond, lucene, 64, FLOORS), "memory")).as("+1.1%").isFalse();
    }

    @Test
    void speedIsTheMedianOfTheRoundsRatios() {
        // Three rounds measured side by side: the machine ran at full speed, half speed, then a
        // third. VectorFlow is 1.5× Lucene in every round, and the verdict says so, whatever the
        // machine's speed did between rounds.
        List<Result> ours = List.of(result("vectorflow", 650, new double[] {16, 0.96, 1500}),
                result("vectorflow", 650, new double[] {16, 0.96, 750}), result("vectorflow", 650, new double[] {16, 0.96, 500}));
        List<Result> lucene = List.of(result("lucene-hnsw", 800, new double[] {16, 0.96, 1000}),
                result("lucene-hnsw", 800, new double[] {16, 0.96, 500}), result("lucene-hnsw", 800, new double[] {16, 0.96, 333.3333}));
        GuardFloors strict = floors(Map.of("qps_ratio_floor", "1.49", "bytes_tolerance", "0.01",
                "recall_floor.set", "0.95", "bytes_per_vector.set", "650"));
        List<GuardVerdict.Check> checks = GuardVerdict.evaluate("set", ours, lucene, 16, strict);
        GuardVerdict.Check speed = checks.stream().filter(c -> c.name().equals("set speed")).findFirst().orElseThrow();
        assertThat(speed.passed()).isTrue();
        assertThat(speed.detail()).contains("1.50×").contains("median of 3 rounds");
        // a data set's own floor wins over the common one
        GuardFloors perSet = floors(Map.of("qps_ratio_floor", "1.49", "qps_ratio_floor.set", "1.6", "bytes_tolerance",
                "0.01", "recall_floor.set", "0.95", "bytes_per_vector.set", "650"));
        assertThat(passed(GuardVerdict.evaluate("set", ours, lucene, 16, perSet), "speed")).isFalse();
        // one round where VectorFlow fell behind does not decide the verdict
        List<Result> oneBad = List.of(ours.get(0), result("vectorflow", 650, new double[] {16, 0.96, 400}), ours.get(2));
        assertThat(passed(GuardVerdict.evaluate("set", oneBad, lucene, 16, strict), "speed")).isTrue();
    }

    @Test
    void mediansPickTheMiddleRoundPerEf() {
        Row slow = new Row(16, 0.96, 100, 100, 1, 1, 1, 1, 0);
        Row mid = new Row(16, 0.96, 200, 200, 1, 1, 1, 1, 0);
        Row fast = new Row(16, 0.96, 900, 900, 1, 1, 1, 1, 0);
        assertThat(GuardCommand.medians(new Row[][] {{fast, slow, mid}})).containsExactly(mid);
    }
}
