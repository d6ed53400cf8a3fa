package io.vectorflow.bench.guard;

import io.vectorflow.core.eval.AnnBenchmark.Result;
import io.vectorflow.core.eval.AnnBenchmark.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Judges one data set's guard run against the committed floors; ratios only, never absolute times. */
public final class GuardVerdict {

    /** Recall at which single-thread QPS is compared. */
    public static final double TARGET_RECALL = 0.95;

    /** One named check and whether it passed. */
    public record Check(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + name + ": " + detail;
        }
    }

    private GuardVerdict() {}

    /**
     * @param ours      VectorFlow's result (QPS as medians over interleaved rounds)
     * @param lucene    Lucene HNSW's result from the same run
     * @param defaultEf the ef whose recall is held to the floor
     */
    public static List<Check> evaluate(String dataset, Result ours, Result lucene, int defaultEf, GuardFloors floors) {
        List<Check> checks = new ArrayList<>();
        double mine = ours.bestQpsAtRecall(TARGET_RECALL);
        double theirs = lucene.bestQpsAtRecall(TARGET_RECALL);
        double floor = floors.qpsRatioFloor();
        if (mine == 0) {
            checks.add(new Check(dataset + " speed", false, "VectorFlow never reached recall " + TARGET_RECALL));
        } else if (theirs == 0) {
            checks.add(new Check(dataset + " speed", true,
                    "Lucene never reached recall " + TARGET_RECALL + "; VectorFlow did"));
        } else {
            double ratio = mine / theirs;
            checks.add(new Check(dataset + " speed", ratio >= floor, String.format(Locale.ROOT,
                    "VectorFlow %,.0f QPS vs Lucene %,.0f QPS at recall ≥ %.2f: %.2f× (floor %.2f×)",
                    mine, theirs, TARGET_RECALL, ratio, floor)));
        }

        double recallFloor = floors.recallFloor(dataset);
        Row atDefault = ours.results().stream().filter(r -> r.ef() == defaultEf).findFirst().orElse(null);
        if (atDefault == null) {
            checks.add(new Check(dataset + " recall", false, "no measurement at the default ef=" + defaultEf));
        } else {
            checks.add(new Check(dataset + " recall", atDefault.recall() >= recallFloor, String.format(Locale.ROOT,
                    "recall@%d at ef=%d is %.4f (floor %.4f)", ours.k(), defaultEf, atDefault.recall(), recallFloor)));
        }

        double committed = floors.bytesPerVector(dataset);
        double limit = committed * (1 + floors.bytesTolerance());
        checks.add(new Check(dataset + " memory", ours.bytesPerVector() <= limit, String.format(Locale.ROOT,
                "%.1f bytes/vector (committed %.1f, limit %.1f)", ours.bytesPerVector(), committed, limit)));
        return checks;
    }
}
