package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell example in docs/api.md, run in order with the real {@code curl} against a real
 * server: each must answer without an error envelope. Keeps the documentation honest.
 */
class ApiDocExamplesTest {

    @Test
    void everyCurlExampleInTheApiDocsWorks(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "api.md"));
        Matcher m = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).hasSizeGreaterThan(10);
        try (TestServer s = new TestServer(dir.resolve("data"))) {
            String script = """
                    set -euo pipefail
                    curl() {
                      local out
                      out=$(command curl --max-time 60 "$@")
                      printf '%s\\n' "$out"
                      if printf '%s' "$out" | grep -q '"status":{"error"'; then
                        echo "EXAMPLE FAILED: curl $*" >&2
                        exit 1
                      fi
                    }
                    """ + String.join("\n", blocks).replace("localhost:6333", "127.0.0.1:" + s.server.port());
            Path file = dir.resolve("examples.sh");
            Files.writeString(file, script);
            Path log = dir.resolve("examples.log");
            Process p = new ProcessBuilder("bash", file.toString()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("\"version\":\"1.", "\"vectorflow_version\":", "\"points\":[{\"id\":", "\"count\":");
            assertThat(s.db.listCollections()).contains("docs", "docs_copy");
        }
    }
}
