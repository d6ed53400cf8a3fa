package io.vectorflow.bench;

import io.vectorflow.bench.engines.LogCapture;
import io.vectorflow.bench.guard.GuardCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code bench/target/benchmarks.jar}: {@code compare} (VectorFlow against its
 * peers), {@code guard} (the CI performance guard), {@code storage} (durable collections: ingest,
 * restart, mapped versus in-memory search, bytes on disk), {@code ingest} (durable write throughput
 * and indexing lag), {@code resources} (memory, threads and restart time per collection and per
 * point, search latency under load) and {@code jmh} (the JMH kernel benchmarks).
 * The launcher runs the first two as {@code ./vectorflow compare} and {@code ./vectorflow guard}.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
        subcommands = {CompareCommand.class, GuardCommand.class, StorageCommand.class, IngestCommand.class, FilteredCommand.class, ServerBenchCommand.class, SparseCommand.class, HybridCommand.class, TiersCommand.class, ClusterCommand.class,
                io.vectorflow.bench.resources.ResourcesCommand.class, BenchMain.JmhCommand.class},
        description = "VectorFlow benchmarks: peer comparison, CI performance guard, JMH kernels.")
public final class BenchMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        // Before any engine loads its vector code: the line each one logs about SIMD is evidence.
        LogCapture.install();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            if (System.getenv("VECTORFLOW_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        System.exit(cli.execute(args));
    }

    /** {@code jmh [JMH options]}: the kernel micro-benchmarks (DistanceBenchmark). */
    @Command(name = "jmh", description = "Runs the JMH benchmarks; options go to JMH (try: jmh -h).")
    static final class JmhCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Parameters(arity = "0..*", paramLabel = "JMH-OPTION")
        String[] jmhArgs = new String[0];

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(jmhArgs);
            return 0;
        }
    }
}
