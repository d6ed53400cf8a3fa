package io.vectorflow.bench.guard;

import io.vectorflow.core.eval.AnnBenchmark.Result;
import io.vectorflow.core.eval.AnnBenchmark.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Judges one data set's guard run against the committed floors; ratios only, never absolute times. */
public final class GuardVerdict {

    /** Recall at which single-thread QPS is compared, read off each engine's measured curve. */
    public static final double TARGET_RECALL = 0.95;

    /** One named check and whether it passed. */
    public record Check(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + name + ": " + detail;
        }
    }

    private GuardVerdict() {}

    /** {@link #evaluate(String, List, List, int, GuardFloors)} over a single round. */
    public static List<Check> evaluate(String dataset, Result ours, Result lucene, int defaultEf, GuardFloors floors) {
        return evaluate(dataset, List.of(ours), List.of(lucene), defaultEf, floors);
    }

    /**
     * @param oursRounds   VectorFlow's results, one per measurement round
     * @param luceneRounds Lucene HNSW's results from the same rounds, measured alongside
     * @param defaultEf    the ef whose recall is held to the floor
     */
    public static List<Check> evaluate(String dataset, List<Result> oursRounds, List<Result> luceneRounds, int defaultEf,
            GuardFloors floors) {
        List<Check> checks = new ArrayList<>();
        checks.add(speed(dataset, oursRounds, luceneRounds, floors.qpsRatioFloor(dataset)));
        Result ours = oursRounds.get(0);
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

    /**
     * The median over rounds of VectorFlow's QPS at the target recall divided by Lucene's in the
     * same round: a ratio of two measurements taken side by side is steadier than a ratio of two
     * medians taken apart.
     */
    private static Check speed(String dataset, List<Result> oursRounds, List<Result> luceneRounds, double floor) {
        int rounds = Math.min(oursRounds.size(), luceneRounds.size());
        double[] mine = new double[rounds];
        double[] theirs = new double[rounds];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            mine[r] = oursRounds.get(r).qpsAtRecall(TARGET_RECALL);
            theirs[r] = luceneRounds.get(r).qpsAtRecall(TARGET_RECALL);
            ratios[r] = theirs[r] == 0 ? Double.POSITIVE_INFINITY : mine[r] / theirs[r];
        }
        if (median(mine) == 0) {
            return new Check(dataset + " speed", false, "VectorFlow never reached recall " + TARGET_RECALL);
        }
        if (median(theirs) == 0) {
            return new Check(dataset + " speed", true, "Lucene never reached recall " + TARGET_RECALL + "; VectorFlow did");
        }
        double ratio = median(ratios);
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return new Check(dataset + " speed", ratio >= floor, String.format(Locale.ROOT,
                "VectorFlow %,.0f QPS vs Lucene %,.0f QPS at recall %.2f (interpolated): %.2f× (floor %.2f×;"
                        + " median of %d rounds, %.2f×–%.2f×)",
                median(mine), median(theirs), TARGET_RECALL, ratio, floor, rounds, sorted[0], sorted[rounds - 1]));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
