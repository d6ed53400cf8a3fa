package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys, tenants, JWTs and the audit log against a real server: keys made and revoked over the
 * admin API take effect at once; tenants cannot see, count or guess each other's collections;
 * Qdrant-style JWTs are honoured and checked; every change is audited without payloads or keys;
 * the server refuses to listen beyond loopback without a key.
 */
class SecurityTest {

    private static final String ADMIN = "an-admin-key-of-the-test";
    private static final String CREATE = "{\"vectors\": {\"size\": 2, \"distance\": \"Dot\"}}";
    private static final String POINTS = "{\"points\": [{\"id\": 1, \"vector\": [1, 0], \"payload\": {\"secret\": \"s3cr3t-payload\"}}]}";

    @TempDir
    Path dir;

    private TestServer server() {
        return new TestServer(dir, VectorFlowServer.Settings.of("127.0.0.1", 0).withKeys(new VectorFlowServer.Keys(ADMIN, null)));
    }

    private static String made(TestServer s, String body) {
        TestServer.Answer a = s.call("POST", "/admin/keys", body, "api-key", ADMIN);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        return a.result().get("key").asText();
    }

    @Test
    void keysMadeOverTheAdminApiWorkAtOnceAndStopWorkingWhenRevoked() throws Exception {
        try (TestServer s = server()) {
            String rw = made(s, "{\"name\": \"ingest\", \"role\": \"read-write\"}");
            assertThat(s.call("PUT", "/collections/docs", CREATE, "Authorization", "Bearer " + rw).status()).isEqualTo(200);
            assertThat(s.call("PUT", "/collections/docs/points?wait=true", POINTS, "api-key", rw).status()).isEqualTo(200);
            JsonNode listed = s.call("GET", "/admin/keys", null, "api-key", ADMIN).result().get("keys");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).get("role").asText()).isEqualTo("read-write");
            assertThat(listed.toString()).doesNotContain(rw).doesNotContain("sha256");
            // Keys are stored hashed: the key itself is nowhere in the data directory.
            assertThat(Files.readString(dir.resolve("keys.json"))).doesNotContain(rw.substring(rw.lastIndexOf('_') + 1));
            assertThat(s.call("GET", "/admin/keys", null, "api-key", rw).status()).isEqualTo(403);
            String id = listed.get(0).get("id").asText();
            assertThat(s.call("DELETE", "/admin/keys/" + id, null, "api-key", ADMIN).status()).isEqualTo(200);
            TestServer.Answer after = s.call("POST", "/collections/docs/points/count", "{}", "api-key", rw);
            assertThat(after.status()).isEqualTo(401);
            assertThat(after.error()).contains("not valid");
            assertThat(s.call("POST", "/collections/docs/points/count", "{}").status()).isEqualTo(401);
            assertThat(s.call("POST", "/collections/docs/points/count", "{}").error()).contains("api-key");
            assertThat(s.call("GET", "/healthz", null).status()).isEqualTo(200);
            assertThat(s.call("GET", "/metrics", null).status()).isEqualTo(401);
            assertThat(s.call("GET", "/metrics", null, "api-key", ADMIN).status()).isEqualTo(200);
            assertThat(s.call("POST", "/admin/keys", "{\"name\": \"x\", \"role\": \"owner\"}", "api-key", ADMIN).error())
                    .contains("role");
        }
    }

    @Test
    void tenantsCannotSeeCountOrGuessEachOthersCollections() throws Exception {
        try (TestServer s = server()) {
            String a = made(s, "{\"name\": \"a\", \"role\": \"read-write\", \"tenant\": \"acme\"}");
            String b = made(s, "{\"name\": \"b\", \"role\": \"read-write\", \"tenant\": \"globex\"}");
            assertThat(s.call("PUT", "/collections/docs", CREATE, "api-key", a).status()).isEqualTo(200);
            assertThat(s.call("PUT", "/collections/docs/points?wait=true", POINTS, "api-key", a).status()).isEqualTo(200);
            assertThat(s.call("POST", "/collections/docs/points/count", "{}", "api-key", a).result().get("count").asInt()).isEqualTo(1);
            assertThat(s.call("GET", "/metrics", null, "api-key", ADMIN).text())
                    .contains("vectorflow_collection_points{collection=\"acme/docs\"} 1.0");
            assertThat(s.call("GET", "/metrics", null, "api-key", a).status()).isEqualTo(403);
            // Snapshots are the tenant's own too: taken, listed and uploaded back into its namespace.
            TestServer.Answer snap = s.call("POST", "/collections/docs/snapshots", null, "api-key", a);
            assertThat(snap.status()).as(snap.text()).isEqualTo(200);
            assertThat(s.call("GET", "/collections/docs/snapshots", null, "api-key", b).status()).isEqualTo(404);
            try (var files = Files.list(dir.resolve("tenants/acme/snapshots/docs"))) {
                Path archive = files.filter(f -> f.toString().endsWith(".snapshot")).findFirst().orElseThrow();
                java.net.http.HttpResponse<String> up = s.http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(s.url() + "/collections/restored/snapshots/upload")).header("api-key", a)
                        .header("content-type", "application/octet-stream")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofFile(archive)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            }
            assertThat(s.call("POST", "/collections/restored/points/count", "{}", "api-key", a).result().get("count").asInt())
                    .isEqualTo(1);
            assertThat(s.call("GET", "/collections/restored", null, "api-key", ADMIN).status()).isEqualTo(404);
            TestServer.Answer theirs = s.call("GET", "/collections/docs", null, "api-key", b);
            TestServer.Answer never = s.call("GET", "/collections/never-made", null, "api-key", b);
            assertThat(theirs.status()).isEqualTo(404).isEqualTo(never.status());
            assertThat(theirs.error().replace("docs", "X")).isEqualTo(never.error().replace("never-made", "X"));
            assertThat(s.call("POST", "/collections/docs/points/count", "{}", "api-key", b).status()).isEqualTo(404);
            assertThat(s.call("GET", "/collections/docs/exists", null, "api-key", b).result().get("exists").asBoolean()).isFalse();
            assertThat(s.call("GET", "/collections", null, "api-key", b).result().get("collections")).isEmpty();
            assertThat(s.call("GET", "/collections", null, "api-key", a).result().get("collections")).hasSize(2);
            // The same name in the other tenant is another collection.
            assertThat(s.call("PUT", "/collections/docs", CREATE, "api-key", b).status()).isEqualTo(200);
            assertThat(s.call("POST", "/collections/docs/points/count", "{}", "api-key", b).result().get("count").asInt()).isZero();
            assertThat(s.call("DELETE", "/collections/docs", null, "api-key", b).status()).isEqualTo(200);
            assertThat(s.call("POST", "/collections/docs/points/count", "{}", "api-key", a).result().get("count").asInt()).isEqualTo(1);
            assertThat(dir.resolve("tenants/acme/collections/docs")).isDirectory();
            assertThat(s.call("GET", "/collections", null, "api-key", ADMIN).result().get("collections")).isEmpty();
        }
        try (Database db = Database.open(dir)) { // tenants open with the directory
            assertThat(db.listTenants()).contains("acme", "globex");
            assertThat(db.tenant("acme").collection("docs").count(null)).isEqualTo(1);
        }
    }

    private static String jwt(String claims) throws Exception {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String head = e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String body = e.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(ADMIN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return head + "." + body + "." + e.encodeToString(mac.doFinal((head + "." + body).getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void qdrantStyleJwtsAreHonouredAndChecked() throws Exception {
        try (TestServer s = server()) {
            s.call("PUT", "/collections/docs", CREATE, "api-key", ADMIN);
            s.call("PUT", "/collections/other", CREATE, "api-key", ADMIN);
            long later = System.currentTimeMillis() / 1000 + 600;
            String read = jwt("{\"access\": \"r\", \"exp\": " + later + "}");
            assertThat(s.call("POST", "/collections/docs/points/count", "{}", "api-key", read).status()).isEqualTo(200);
            assertThat(s.call("PUT", "/collections/docs/points", POINTS, "api-key", read).status()).isEqualTo(403);
            String docsOnly = jwt("{\"access\": [{\"collection\": \"docs\", \"access\": \"rw\"}]}");
            assertThat(s.call("PUT", "/collections/docs/points?wait=true", POINTS, "api-key", docsOnly).status()).isEqualTo(200);
            assertThat(s.call("POST", "/collections/other/points/count", "{}", "api-key", docsOnly).status()).isEqualTo(403);
            assertThat(s.call("GET", "/collections", null, "api-key", docsOnly).result().get("collections").toString())
                    .contains("docs").doesNotContain("other");
            String expired = jwt("{\"access\": \"m\", \"exp\": 1000}");
            assertThat(s.call("GET", "/collections", null, "api-key", expired).error()).contains("expired");
            String forged = read.substring(0, read.lastIndexOf('.') + 1) + "AAAA";
            assertThat(s.call("GET", "/collections", null, "api-key", forged).status()).isEqualTo(401);
            String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + read.split("\\.")[1] + ".";
            assertThat(s.call("GET", "/collections", null, "api-key", none).status()).isEqualTo(401);
        }
    }

    @Test
    void everyChangeIsAuditedWithoutPayloadsOrKeys() throws Exception {
        try (TestServer s = server()) {
            String rw = made(s, "{\"name\": \"writer\", \"role\": \"read-write\"}");
            s.call("PUT", "/collections/docs", CREATE, "api-key", rw);
            s.call("PUT", "/collections/docs/points?wait=true", POINTS, "api-key", rw);
            s.call("POST", "/collections/docs/points/count", "{}", "api-key", rw); // a read: not audited
            s.call("DELETE", "/collections/docs", null, "api-key", made(s, "{\"name\": \"reader\", \"role\": \"read-only\"}"));
        }
        List<String> lines = Files.readAllLines(dir.resolve("audit/audit.log"));
        String all = String.join("\n", lines);
        assertThat(all).doesNotContain("s3cr3t-payload").doesNotContain(ADMIN).doesNotContain("vf_");
        List<JsonNode> entries = lines.stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertThat(entries).extracting(e -> e.get("action").asText() + " " + e.get("result").asText()).containsExactly(
                "POST /admin/keys 200", "PUT /collections/{name} 200", "PUT /collections/{name}/points 200",
                "POST /admin/keys 200", "DELETE /collections/{name} 403");
        assertThat(entries.get(2).get("collection").asText()).isEqualTo("docs");
        assertThat(entries.get(2).get("tenant").asText()).isEqualTo("default");
        assertThat(entries.get(2).get("request_id").asText()).isNotEmpty();
        assertThat(entries.get(0).get("key").asText()).isEqualTo("admin");
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutAKey() {
        try (Database db = Database.open(dir)) {
            assertThatThrownBy(() -> VectorFlowServer.start(db, VectorFlowServer.Settings.of("0.0.0.0", 0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--api-key")
                    .hasMessageContaining("VECTORFLOW_API_KEY");
            try (VectorFlowServer s = VectorFlowServer.start(db, VectorFlowServer.Settings.of("0.0.0.0", 0)
                    .withKeys(new VectorFlowServer.Keys(ADMIN, null)))) {
                TestServer.Client c = new TestServer.Client(s);
                assertThat(c.get("/collections").status()).isEqualTo(401);
                assertThat(c.call("GET", "/collections", null, "api-key", ADMIN).status()).isEqualTo(200);
            }
        }
    }
}
