package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.TierSettings;
import io.vectorflow.storage.object.ObjectStore;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.tier.s3.S3ObjectStore;
import io.vectorflow.tier.s3.S3Servers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object tier end to end: a real server whose collection's sealed segments move into a real
 * S3-compatible server (s3proxy) and back, searched throughout, answering from the local tiers
 * with a degraded status while the store is down, also across a restart.
 */
class TieringTest {

    private static final int DIM = 16;
    private static final int N = 3_000;

    @TempDir
    Path dir;

    private static float[] vector(int i) {
        Random r = new Random(i);
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    private static String points(int from, int to) {
        StringBuilder b = new StringBuilder("{\"points\":[");
        for (int i = from; i < to; i++) {
            b.append(i > from ? "," : "").append("{\"id\":").append(i).append(",\"vector\":").append(Arrays.toString(vector(i)))
                    .append(",\"payload\":{\"i\":").append(i).append(",\"group\":").append(i % 50).append("}}");
        }
        return b.append("]}").toString();
    }

    private static Database.Options options(S3ObjectStore.Settings s3) {
        // placement rounds are run by the test (placeNow), not by the clock
        return Database.Options.defaults().withCompaction(false, 0)
                .withTiers(new TierSettings(new S3ObjectStore(s3), 1 << 20, 0, 3_600_000));
    }

    private static String search(int query, String extra) {
        return "{\"vector\":" + Arrays.toString(vector(query)) + ",\"limit\":10,\"with_payload\":true" + extra + "}";
    }

    private static List<String> ids(TestServer.Answer a) {
        List<String> out = new ArrayList<>();
        a.result().forEach(p -> out.add(p.path("id").asText() + "@" + p.path("score").asText()));
        return out;
    }

    /** The exact 10 nearest of the points with {@code group}, by brute force. */
    private static List<Integer> exactInGroup(int query, int group) {
        float[] q = vector(query);
        List<Integer> in = new ArrayList<>();
        for (int i = group; i < N; i += 50) {
            in.add(i);
        }
        in.sort((a, b) -> Double.compare(distance(q, vector(a)), distance(q, vector(b))));
        return in.subList(0, 10);
    }

    private static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return d;
    }

    private static int coldSegments(TestServer s) {
        return s.get("/collections/t").result().path("vectorflow").path("tiers").path("object").path("segments").asInt();
    }

    @Test
    void coldSegmentsStaySearchableAndADownStoreDegradesRatherThanFails() throws Exception {
        int port = S3Servers.freePort();
        Path blobs = dir.resolve("s3");
        S3Servers.InProcess s3 = S3Servers.inProcess(blobs, "vf/", port);
        S3ObjectStore.Settings settings = s3.settings();
        Path data = dir.resolve("data");
        List<List<String>> before = new ArrayList<>();
        try (TestServer s = new TestServer(data, options(settings))) {
            // a policy that needs quantization is refused without it, naming the field
            TestServer.Answer refused = s.put("/collections/t", "{\"vectors\":{\"size\":16,\"distance\":\"Euclid\"},"
                    + "\"tiering_config\":{\"pinned\":\"object\"}}");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.error()).contains("tiering_config");
            assertThat(s.put("/collections/t", "{\"vectors\":{\"size\":16,\"distance\":\"Euclid\"},"
                    + "\"optimizers_config\":{\"max_segment_size\":40},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"always_ram\":true}}}").status()).isEqualTo(200);
            for (int from = 0; from < N; from += 500) {
                assertThat(s.put("/collections/t/points?wait=true", points(from, from + 500)).status()).isEqualTo(200);
            }
            s.db.collection("t").flush();
            awaitCodes(s);
            assertThat(s.put("/collections/t/index", "{\"field_name\":\"group\",\"field_schema\":\"integer\"}").status()).isEqualTo(200);
            for (int q = 0; q < 10; q++) {
                before.add(ids(s.post("/collections/t/points/search", search(q * 7, ""))));
            }
            int sealed = s.db.collection("t").store().view().sealed().size();
            assertThat(sealed).isGreaterThanOrEqualTo(3);

            // pinned to the object tier: every sealed segment's vectors move out, one per round
            assertThat(s.call("PATCH", "/collections/t", "{\"tiering_config\":{\"pinned\":\"object\"}}").status()).isEqualTo(200);
            JsonNode echoed = s.get("/collections/t").result().path("config").path("tiering_config");
            assertThat(echoed.path("pinned").asText()).isEqualTo("object");
            for (int i = 0; i < sealed; i++) {
                assertThat(s.db.placeNow("t")).isPositive();
            }
            assertThat(s.db.placeNow("t")).isZero();
            assertThat(coldSegments(s)).isEqualTo(sealed);
            JsonNode tiers = s.get("/collections/t").result().path("vectorflow").path("tiers");
            assertThat(tiers.path("object").path("vector_bytes").asLong()).isGreaterThanOrEqualTo(4L * DIM * (N - 1_000));
            assertThat(tiers.path("object").path("monthly_cost_usd").asDouble()).isPositive();
            ObjectStore objects = new S3ObjectStore(settings);
            assertThat(objects.list("")).hasSize(sealed);

            // the same answers, now fetching the rescoring candidates from the store
            TestServer.Answer first = s.post("/collections/t/points/search", search(0, ""));
            assertThat(ids(first)).isEqualTo(before.get(0));
            JsonNode object = first.json().path("performance").path("tiers").path("object");
            assertThat(object.path("segments").asInt()).isEqualTo(sealed);
            assertThat(object.path("blocks_fetched").asLong()).isPositive();
            assertThat(object.path("bytes_fetched").asLong()).isPositive();
            assertThat(first.json().path("performance").has("degraded")).isFalse();
            for (int q = 1; q < 10; q++) {
                assertThat(ids(s.post("/collections/t/points/search", search(q * 7, "")))).as("query %d", q).isEqualTo(before.get(q));
            }
            // asked again: from the block cache
            JsonNode again = s.post("/collections/t/points/search", search(0, "")).json().path("performance").path("tiers").path("object");
            assertThat(again.path("blocks_fetched").asLong()).isZero();
            assertThat(again.path("cache_hits").asLong()).isPositive();
            // a selective filter is planned exactly: its candidates' vectors come from the store, the answer is exact
            TestServer.Answer filtered = s.post("/collections/t/points/search",
                    search(5, ",\"filter\":{\"must\":[{\"key\":\"group\",\"match\":{\"value\":7}}]}"));
            List<Integer> got = new ArrayList<>();
            filtered.result().forEach(p -> got.add(p.path("id").asInt()));
            assertThat(got).isEqualTo(exactInGroup(5, 7));
            // a point's vector, read from the store
            TestServer.Answer point = s.get("/collections/t/points/10");
            assertThat(point.result().path("vector").toString()).isEqualTo(Arrays.toString(vector(10)).replace(" ", ""));

            // archived: compressed objects; the next search restores them first and says how long that took
            assertThat(s.call("PATCH", "/collections/t", "{\"tiering_config\":{\"pinned\":\"archive\"}}").status()).isEqualTo(200);
            while (s.db.placeNow("t") > 0) {
                // one segment per round
            }
            JsonNode archive = s.get("/collections/t").result().path("vectorflow").path("tiers").path("archive");
            assertThat(archive.path("segments").asInt()).isEqualTo(sealed);
            assertThat(objects.list("")).hasSize(sealed).allMatch(o -> o.key().endsWith(".zst"));
            TestServer.Answer restored = s.post("/collections/t/points/search", search(0, ""));
            assertThat(ids(restored)).isEqualTo(before.get(0));
            JsonNode restoredTiers = restored.json().path("performance").path("tiers");
            assertThat(restoredTiers.path("archive").path("segments_restored").asInt()).isEqualTo(sealed);
            assertThat(restoredTiers.path("archive").path("restore_ms").asDouble()).isPositive();
            assertThat(coldSegments(s)).isZero();
            // and back to the object tier for what follows
            assertThat(s.call("PATCH", "/collections/t", "{\"tiering_config\":{\"pinned\":\"object\"}}").status()).isEqualTo(200);
            while (s.db.placeNow("t") > 0) {
                // one segment per round
            }
            assertThat(coldSegments(s)).isEqualTo(sealed);
        }

        // the store goes down: the collection opens, searches answer from the local tiers, degraded
        s3.close();
        try (TestServer s = new TestServer(data, options(settings))) {
            assertThat(s.db.collection("t").store().view().sealed()).allMatch(SealedSegment::isCold);
            TestServer.Answer down = s.post("/collections/t/points/search", search(0, ""));
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.json().path("performance").path("degraded").asBoolean()).isTrue();
            assertThat(down.json().path("performance").path("tiers").path("object").path("unavailable_segments").asInt())
                    .isPositive();
            JsonNode info = s.get("/collections/t").result();
            assertThat(info.path("status").asText()).isEqualTo("yellow");
            assertThat(info.path("vectorflow").path("degraded").asText()).contains("could not be reached");
            TestServer.Answer vectorRead = s.get("/collections/t/points/10");
            assertThat(vectorRead.status()).isEqualTo(503);

            // back up on the same port: whole answers again; then pinned to disk, everything comes home
            s3 = S3Servers.inProcess(blobs, "vf/", port);
            assertThat(ids(s.post("/collections/t/points/search", search(0, "")))).isEqualTo(before.get(0));
            assertThat(s.call("PATCH", "/collections/t", "{\"tiering_config\":{\"pinned\":\"disk\"}}").status()).isEqualTo(200);
            while (s.db.placeNow("t") > 0) {
                // one segment per round
            }
            assertThat(coldSegments(s)).isZero();
            assertThat(new S3ObjectStore(settings).list("")).isEmpty();
            for (int q = 0; q < 10; q++) {
                assertThat(ids(s.post("/collections/t/points/search", search(q * 7, "")))).isEqualTo(before.get(q));
            }
        } finally {
            s3.close();
        }
    }

    @Test
    void coldSegmentsSearchedOftenComeBack() throws Exception {
        try (S3Servers.InProcess s3 = S3Servers.inProcess(dir.resolve("s3"), "vf/");
             TestServer s = new TestServer(dir.resolve("data"), options(s3.settings()))) {
            assertThat(s.put("/collections/t", "{\"vectors\":{\"size\":16,\"distance\":\"Euclid\"},"
                    + "\"optimizers_config\":{\"max_segment_size\":40},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\"}},\"tiering_config\":{\"pinned\":\"object\"}}")
                    .status()).isEqualTo(200);
            for (int from = 0; from < 1_500; from += 500) { // a segment freezes between writes
                assertThat(s.put("/collections/t/points?wait=true", points(from, from + 500)).status()).isEqualTo(200);
            }
            s.db.collection("t").flush();
            awaitCodes(s);
            while (s.db.placeNow("t") > 0) {
                // one segment per round
            }
            int cold = coldSegments(s);
            assertThat(cold).isGreaterThanOrEqualTo(2);
            // placed by access now: nothing moves while the segments are idle
            assertThat(s.call("PATCH", "/collections/t", "{\"tiering_config\":{\"promote_after_hits\":3}}").status()).isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!s.db.collection("t").quantizationComplete() && System.nanoTime() < deadline) {
                Thread.sleep(20); // the reopened collection loads its codes; no search yet, so no access counted
            }
            assertThat(s.db.placeNow("t")).isZero();
            for (int i = 0; i < 4; i++) {
                assertThat(s.post("/collections/t/points/search", search(i, "")).status()).isEqualTo(200);
            }
            assertThat(s.db.placeNow("t")).as("a segment searched 4 times (count 3.x) comes back").isPositive();
            assertThat(coldSegments(s)).isEqualTo(cold - 1);
        }
    }

    @Test
    void aPolicyThatMovesSegmentsNeedsAnObjectStore() {
        try (TestServer s = new TestServer(dir.resolve("plain"))) {
            TestServer.Answer a = s.put("/collections/p", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\"}},\"tiering_config\":{\"pinned\":\"object\"}}");
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.error()).contains("tiering_config").contains("--object-store");
            TestServer.Answer bad = s.put("/collections/p", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"tiering_config\":{\"pinned\":\"sometimes\"}}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.error()).contains("tiering_config.pinned");
            // pinning to disk needs nothing
            assertThat(s.put("/collections/p", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
                    + "\"tiering_config\":{\"pinned\":\"disk\"}}").status()).isEqualTo(200);
            assertThat(s.get("/collections/p").result().path("config").path("tiering_config").path("pinned").asText())
                    .isEqualTo("disk");
        }
    }

    private static void awaitCodes(TestServer s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            s.post("/collections/t/points/search", search(0, ""));
            if (s.get("/collections/t").result().path("vectorflow").path("quantization_complete").asBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("codes not built within a minute");
    }
}
