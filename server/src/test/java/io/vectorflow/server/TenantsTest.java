package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.server.auth.ApiKeys;
import io.vectorflow.server.auth.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants at scale and their quotas: a thousand tenants, each with its own key and a collection of
 * the same name, in one server process with a 1 GiB heap; a sample of pairs cannot see each
 * other's points; an idle tenant costs at most 64 KiB of heap; quotas on collections, points and
 * request rate are enforced with 403 and 429 naming the limit.
 */
class TenantsTest {

    private static final int TENANTS = 1000;
    private static final String CREATE = "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}";

    @TempDir
    Path dir;

    private static String points(int tenant) {
        StringBuilder b = new StringBuilder("{\"points\": [");
        for (int i = 0; i < 10; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append(", \"vector\": [1, ").append(i).append(", 0, 1],")
                    .append(" \"payload\": {\"owner\": \"t").append(tenant).append("\"}}");
        }
        return b.append("]}").toString();
    }

    @Test
    void aThousandTenantsStayApartInAOneGigabyteHeapAtUnder64KibEach() throws Exception {
        ApiKeys keys = ApiKeys.in(dir);
        String admin = keys.create("admin", Role.ADMIN, "default", List.of()).secret();
        List<String> tenantKeys = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            tenantKeys.add(keys.create("k" + t, Role.READ_WRITE, "t" + t, List.of()).secret());
        }
        try (ChildServer child = ChildServer.start(dir, "1g")) {
            assertThat(child.call(tenantKeys.get(0), "GET", "/collections", null).status()).isEqualTo(200); // paths warmed
            long before = child.heapUsed();
            for (int t = 0; t < TENANTS; t++) {
                String key = tenantKeys.get(t);
                assertThat(child.call(key, "PUT", "/collections/docs", CREATE).status()).isEqualTo(200);
                assertThat(child.call(key, "PUT", "/collections/docs/points?wait=true", points(t)).status()).isEqualTo(200);
            }
            long after = child.heapUsed();
            long perTenant = (after - before) / TENANTS;
            System.out.printf("heap per idle tenant (key, collection of 10 points): %,d bytes (%,d -> %,d for %d tenants)%n",
                    perTenant, before, after, TENANTS);
            assertThat(perTenant).isLessThanOrEqualTo(64 << 10);

            Random r = new Random(7);
            for (int i = 0; i < 40; i++) {
                int a = r.nextInt(TENANTS);
                String key = tenantKeys.get(a);
                JsonNode listed = child.call(key, "GET", "/collections", null).json().get("result").get("collections");
                assertThat(listed).hasSize(1);
                JsonNode hits = child.call(key, "POST", "/collections/docs/points/scroll", "{\"limit\": 100, \"with_payload\": true}")
                        .json().get("result").get("points");
                assertThat(hits).hasSize(10);
                hits.forEach(h -> assertThat(h.get("payload").get("owner").asText()).isEqualTo("t" + a));
            }
            JsonNode tenants = child.call(admin, "GET", "/admin/tenants", null).json().get("result").get("tenants");
            assertThat(tenants.size()).isGreaterThanOrEqualTo(TENANTS);

            // Quotas, on one tenant: its points, collections, and request rate.
            String key = tenantKeys.get(3);
            assertThat(child.call(admin, "PUT", "/admin/tenants/t3", "{\"max_points\": 12, \"max_collections\": 1}").status())
                    .isEqualTo(200);
            ChildServer.Answer full = child.call(key, "PUT", "/collections/docs/points?wait=true", points(3).replace("\"id\": ", "\"id\": 10"));
            assertThat(full.status()).isEqualTo(403);
            assertThat(full.body()).contains("max_points");
            assertThat(child.call(key, "PUT", "/collections/docs/points?wait=true",
                    "{\"points\": [{\"id\": 77, \"vector\": [1, 1, 1, 1]}]}").status()).isEqualTo(200);
            ChildServer.Answer second = child.call(key, "PUT", "/collections/more", CREATE);
            assertThat(second.status()).isEqualTo(403);
            assertThat(second.body()).contains("max_collections");
            assertThat(child.call(admin, "PUT", "/admin/tenants/t3", "{\"max_requests_per_second\": 5}").status()).isEqualTo(200);
            int refused = 0;
            String retryAfter = null;
            for (int i = 0; i < 30; i++) {
                ChildServer.Answer a = child.call(key, "POST", "/collections/docs/points/count", "{}");
                if (a.status() == 429) {
                    refused++;
                    retryAfter = a.headers().firstValue("retry-after").orElse(null);
                    assertThat(a.body()).contains("max_requests_per_second");
                }
            }
            assertThat(refused).as("requests over 5 per second refused").isGreaterThan(10);
            assertThat(retryAfter).isNotNull();
            assertThat(child.call(tenantKeys.get(4), "POST", "/collections/docs/points/count", "{}").status())
                    .as("other tenants are not slowed").isEqualTo(200);
        }
    }
}
