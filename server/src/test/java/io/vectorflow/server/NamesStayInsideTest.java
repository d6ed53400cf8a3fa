package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is ever written outside the data directory, whatever the names: hostile collection,
 * snapshot, alias, tenant and key names (separators, dot segments, encoded ones, NUL, absolute
 * paths, very long and non-ASCII names) sent to every route that takes a name, by an admin key;
 * afterwards no file exists beside the data directory, and no answer was a 500.
 */
class NamesStayInsideTest {

    private static final String ADMIN = "admin-key-of-the-names-test";
    private static final List<String> NAMES = List.of("../escape", "..", ".", "/tmp/abs", "a/../../b", "..%2fescape", "%2e%2e",
            "x\u0000y", "é", "a".repeat(300), " space", "-dash", ".hidden", "a\\..\\..\\b", "~", "$HOME", "name\nnewline");

    @TempDir
    Path root;

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void hostileNamesNeverReachOutsideTheDataDirectory() throws Exception {
        Path data = root.resolve("data");
        List<String> failures = new ArrayList<>();
        try (TestServer s = new TestServer(data, VectorFlowServer.Settings.of("127.0.0.1", 0)
                .withKeys(new VectorFlowServer.Keys(ADMIN, null)))) {
            String create = "{\"vectors\": {\"size\": 2, \"distance\": \"Dot\"}}";
            assertThat(s.call("PUT", "/collections/ok", create, "api-key", ADMIN).status()).isEqualTo(200);
            for (String name : NAMES) {
                String n = enc(name);
                String quoted = com.fasterxml.jackson.databind.node.TextNode.valueOf(name).toString();
                List<String[]> calls = List.of(
                        new String[] {"PUT", "/collections/" + n, create},
                        new String[] {"POST", "/collections/" + n + "/snapshots", null},
                        new String[] {"POST", "/collections/ok/snapshots?wait=true&name=" + n, null},
                        new String[] {"DELETE", "/collections/ok/snapshots/" + n, null},
                        new String[] {"GET", "/collections/ok/snapshots/" + n, null},
                        new String[] {"PUT", "/collections/ok/snapshots/recover", "{\"location\": " + quoted + "}"},
                        new String[] {"PUT", "/collections/ok/snapshots/recover", "{\"location\": \"file://" + n + "\"}"},
                        new String[] {"POST", "/collections/aliases", "{\"actions\": [{\"create_alias\": {\"collection_name\": \"ok\","
                                + " \"alias_name\": " + quoted + "}}]}"},
                        new String[] {"PUT", "/admin/tenants/" + n, "{\"max_points\": 1}"},
                        new String[] {"POST", "/admin/keys", "{\"name\": " + quoted + ", \"role\": \"read-only\"}"},
                        new String[] {"POST", "/admin/keys", "{\"name\": \"k\", \"role\": \"read-only\", \"tenant\": " + quoted + "}"},
                        new String[] {"POST", "/admin/keys", "{\"name\": \"k\", \"role\": \"read-only\", \"collections\": [" + quoted + "]}"},
                        new String[] {"PUT", "/collections/ok/index", "{\"field_name\": " + quoted + ", \"field_schema\": \"keyword\"}"});
                for (String[] c : calls) {
                    TestServer.Answer a;
                    try {
                        a = s.call(c[0], c[1], c[2], "api-key", ADMIN);
                    } catch (IllegalArgumentException badUri) {
                        continue; // the HTTP client itself will not send it
                    }
                    if (a.status() >= 500) {
                        failures.add(c[0] + " " + c[1] + ": " + a.status() + " " + a.text());
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> !p.equals(root) && !p.startsWith(data)).toList()).as("files outside the data directory").isEmpty();
        }
        try (Stream<Path> all = Files.walk(data)) {
            assertThat(all.filter(p -> p.getFileName().toString().contains("escape")).toList()).isEmpty();
        }
    }
}
