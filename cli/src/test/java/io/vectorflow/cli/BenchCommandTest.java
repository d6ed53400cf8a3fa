package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void syntheticRunWritesTheDocumentedJson(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("out.json");
        int code = run(new StringWriter(), "bench", "--synthetic", "3000,32", "--queries", "50", "--cache-dir", tmp.toString(),
                "--ef", "16,64", "--threads", "2", "--seconds", "0.05", "--json", json.toString());
        assertThat(code).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("engine").asText()).isEqualTo("vectorflow");
        assertThat(root.get("dataset").asText()).startsWith("synthetic-3000x32");
        assertThat(root.get("n").asInt()).isEqualTo(3000);
        assertThat(root.get("dim").asInt()).isEqualTo(32);
        assertThat(root.get("metric").asText()).isEqualTo("euclidean");
        assertThat(root.get("threads").asInt()).isEqualTo(2);
        assertThat(root.get("k").asInt()).isEqualTo(10);
        for (String field : new String[] {"m", "ef_construction", "build_seconds", "bytes_per_vector"}) {
            assertThat(root.get(field).asDouble()).as(field).isPositive();
        }
        JsonNode rows = root.get("results");
        assertThat(rows).hasSize(2);
        JsonNode wide = rows.get(1);
        assertThat(wide.get("ef").asInt()).isEqualTo(64);
        assertThat(wide.get("recall").asDouble()).isBetween(0.9, 1.0);
        for (String field : new String[] {"qps_1t", "qps_all", "p50_us", "p99_us", "p999_us", "dist_evals"}) {
            assertThat(wide.get(field).asDouble()).as(field).isPositive();
        }
        assertThat(wide.get("p99_us").asDouble()).isGreaterThanOrEqualTo(wide.get("p50_us").asDouble());
        // Graph search, not a scan.
        assertThat(wide.get("dist_evals").asDouble()).isLessThan(3000);
    }

    @Test
    void badArgumentsAreUsageErrors(@TempDir Path tmp) {
        StringWriter err = new StringWriter();
        assertThat(run(err, "bench", "--synthetic", "abc", "--cache-dir", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--synthetic expects N,D");
        err = new StringWriter();
        assertThat(run(err, "bench", "--synthetic", "100,8", "--metric", "hamming", "--cache-dir", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown metric 'hamming'");
        err = new StringWriter();
        assertThat(run(err, "bench", "--dataset", tmp.resolve("missing").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("dataset directory not found").doesNotContain("Exception");
    }
}
