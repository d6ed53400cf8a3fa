package io.vectorflow.bench.report;

import io.vectorflow.core.eval.AnnBenchmark.Result;
import io.vectorflow.core.eval.AnnBenchmark.Row;
import java.util.List;
import java.util.Locale;

/** The markdown tables of a comparison: one table per data set, rows grouped by engine. */
public final class MarkdownReport {

    /** Recall a row must reach before its QPS counts in the summary. */
    public static final double SUMMARY_RECALL = 0.95;

    private MarkdownReport() {}

    /** Every row of every engine on one data set. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| engine | build s | vectors/s | bytes/vector | ef | recall@").append(results.getFirst().k())
                .append(" | QPS 1t | QPS ").append(results.getFirst().threads())
                .append("t | p50 µs | p99 µs | dist evals |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            boolean first = true;
            for (Row row : r.results()) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %.4f | %,.0f | %,.0f | %.1f | %.1f | %.0f |%n",
                        first ? r.engine() : "", first ? String.format(Locale.ROOT, "%.1f", r.buildSeconds()) : "",
                        first ? String.format(Locale.ROOT, "%,.0f", r.n() / r.buildSeconds()) : "",
                        first ? String.format(Locale.ROOT, "%.0f", r.bytesPerVector()) : "", row.ef(), row.recall(),
                        row.qps1t(), row.qpsAll(), row.p50us(), row.p99us(), row.distEvals()));
                first = false;
            }
        }
        return sb.toString();
    }

    /**
     * Per engine: the best single-thread QPS among rows with recall@k at least
     * {@link #SUMMARY_RECALL}, and VectorFlow's QPS divided by it (above 1: VectorFlow is faster).
     */
    public static String summary(List<Result> results) {
        double ours = results.stream().filter(r -> r.engine().equals("vectorflow")).findFirst()
                .map(r -> r.bestQpsAtRecall(SUMMARY_RECALL)).orElse(0.0);
        StringBuilder sb = new StringBuilder();
        sb.append("| engine | kernels | best QPS 1t at recall ≥ ").append(SUMMARY_RECALL)
                .append(" | VectorFlow ÷ engine |\n|---|---|---:|---:|\n");
        for (Result r : results) {
            double best = r.bestQpsAtRecall(SUMMARY_RECALL);
            String ratio = best > 0 && ours > 0 ? String.format(Locale.ROOT, "%.2f×", ours / best) : "n/a";
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", r.engine(), r.kernels().replace("|", "/"),
                    best > 0 ? String.format(Locale.ROOT, "%,.0f", best) : "never reached", ratio));
        }
        return sb.toString();
    }
}
