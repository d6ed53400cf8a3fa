package io.vectorflow.bench.engines;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.VecsFiles;
import io.vectorflow.core.eval.AnnBenchmark;
import io.vectorflow.core.metric.Metric;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * A peer engine run in its own process: hnswlib through the C++ harness
 * ({@code bench/peers/hnswlib_bench.cpp}) and FAISS through the Python harness
 * ({@code bench/peers/faiss_bench.py}). Both measure the way {@link AnnBenchmark} does and print
 * the same JSON shape; this class stages the data as fvecs/ivecs files, runs the harness with the
 * same parameters the JVM engines get, forwards its progress lines and parses its result.
 */
public enum NativePeer {
    HNSWLIB("hnswlib"),
    FAISS("faiss"),
    /** FAISS's {@code IndexHNSWSQ} with 8-bit scalar codes. */
    FAISS_SQ8("faiss-sq8");

    private final String engine;

    NativePeer(String engine) {
        this.engine = engine;
    }

    /** Engine name in reports. */
    public String engine() {
        return engine;
    }

    /**
     * Installs and compiles what the native peers need ({@code bench/peers/setup}: apt packages when
     * missing, the hnswlib harness when stale).
     *
     * @param peersDir the {@code bench/peers} directory
     */
    public static void setup(Path peersDir, Consumer<String> log) throws IOException, InterruptedException {
        int rc = run(List.of("bash", peersDir.resolve("setup").toString()), log, null);
        if (rc != 0) {
            throw new IOException("bench/peers/setup failed (exit " + rc + ")");
        }
    }

    /**
     * Writes the base vectors and queries in the metric's stored form (unit length for cosine, so
     * the peers search them by inner product) and the top-k ground truth the JVM engines are
     * scored against into {@code dir}, once per data set and metric, so every engine sees the same
     * inputs.
     */
    public static Path stage(Dataset data, Metric metric, AnnBenchmark bench, Path dir) throws IOException {
        Path d = dir.resolve(data.name() + "-" + metric.name());
        Files.createDirectories(d);
        Path done = d.resolve("complete");
        if (!Files.exists(done)) {
            VecsFiles.writeFvecs(d.resolve("base.fvecs"), prepared(data.base(), metric));
            VecsFiles.writeFvecs(d.resolve("query.fvecs"), prepared(data.queries(), metric));
            VecsFiles.writeIvecs(d.resolve("truth.ivecs"), bench.groundTruth());
            Files.writeString(done, "ok\n");
        }
        return d;
    }

    private static float[][] prepared(float[][] vectors, Metric metric) {
        float[][] out = new float[vectors.length][];
        for (int i = 0; i < vectors.length; i++) {
            out[i] = metric.prepare(vectors[i]);
        }
        return out;
    }

    /** Runs this peer on staged data and returns its result, labelled like the JVM engines' results. */
    public AnnBenchmark.Result run(Path peersDir, Path staged, Dataset data, AnnBenchmark.Config config,
                                   Consumer<String> log) throws IOException, InterruptedException {
        String space = switch (config.metric().name()) {
            case "euclidean" -> "l2";
            case "cosine", "dot" -> "ip"; // cosine: the staged vectors are the metric's prepared (unit) vectors
            default -> throw new UnsupportedOperationException(engine + " has no " + config.metric().name() + " metric");
        };
        StringJoiner efs = new StringJoiner(",");
        for (int ef : config.efs()) {
            efs.add(Integer.toString(ef));
        }
        List<String> cmd = new ArrayList<>(switch (this) {
            case HNSWLIB -> List.of(peersDir.resolve("../target/peers/hnswlib_bench").normalize().toString());
            case FAISS -> List.of(faissPython(), peersDir.resolve("faiss_bench.py").toString());
            case FAISS_SQ8 -> List.of(faissPython(), peersDir.resolve("faiss_bench.py").toString(), "--index", "sq8");
        });
        cmd.addAll(List.of("--base", staged.resolve("base.fvecs").toString(),
                "--queries", staged.resolve("query.fvecs").toString(),
                "--truth", staged.resolve("truth.ivecs").toString(),
                "--dataset", data.name(), "--space", space,
                "--m", Integer.toString(config.params().m()),
                "--ef-construction", Integer.toString(config.params().efConstruction()),
                "--efs", efs.toString(), "--k", Integer.toString(config.k()),
                "--threads", Integer.toString(config.threads()),
                "--seconds", Double.toString(config.secondsPerMeasurement()),
                "--seed", Long.toString(config.params().seed())));
        StringBuilder out = new StringBuilder();
        int rc = run(cmd, log, out);
        if (rc != 0) {
            throw new IOException(engine + " harness failed (exit " + rc + "): " + String.join(" ", cmd));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = new ObjectMapper().readValue(out.toString(), Map.class);
        AnnBenchmark.Result r = AnnBenchmark.Result.fromMap(json);
        return new AnnBenchmark.Result(engine, data.name(), r.n(), r.dim(), config.metric().name(), r.m(),
                r.efConstruction(), r.threads(), r.k(), r.buildSeconds(), r.bytesPerVector(), r.kernels(), r.results());
    }

    /** The faiss-cpu wheel's Python where {@code bench/peers/setup} could install it, else the system one. */
    private static String faissPython() {
        String venv = System.getenv().getOrDefault("VECTORFLOW_FAISS_VENV",
                System.getProperty("user.home") + "/.cache/vectorflow/faiss-venv");
        Path python = Path.of(venv, "bin", "python");
        return Files.isExecutable(python) ? python.toString() : "/usr/bin/python3";
    }

    /** Runs a command, forwarding its stderr lines to {@code log} and collecting its stdout. */
    private static int run(List<String> cmd, Consumer<String> log, StringBuilder stdout)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        Thread errPump = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.accept(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (stdout != null) {
            stdout.append(text);
        }
        int rc = p.waitFor();
        errPump.join();
        return rc;
    }
}
