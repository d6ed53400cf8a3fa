package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.server.auth.ApiKeys;
import io.vectorflow.server.auth.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Server administration over REST, for admin keys. Keys: {@code GET /admin/keys} lists them
 * (never their secrets or hashes), {@code POST /admin/keys} with {@code {"name", "role", "tenant",
 * "collections"}} makes one and answers the key once, {@code DELETE /admin/keys/{id}} revokes one
 * (at once, on every protocol). Tenants: {@code GET /admin/tenants} lists them with their quotas
 * and usage, {@code GET /admin/tenants/{tenant}} shows one, {@code PUT /admin/tenants/{tenant}}
 * with {@code {"max_collections", "max_points", "max_disk_bytes", "max_requests_per_second"}}
 * sets its quotas (0 or absent: no limit).
 */
final class AdminApi {

    private final ApiKeys keys;
    private final io.vectorflow.engine.Database db;
    private final Rest rest;

    AdminApi(ApiKeys keys, io.vectorflow.engine.Database db, Rest rest) {
        this.keys = keys;
        this.db = db;
        this.rest = rest;
    }

    void register(ServerBuilder sb) {
        sb.route().get("/admin/keys").build(rest.admin(c -> Rest.Reply.of(Map.of("keys", ApiKeys.describe(keys.list())))));
        sb.route().post("/admin/keys").build(rest.admin(c -> {
            JsonNode n = c.json();
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("body must be an object with name, role and optionally tenant and collections");
            }
            String name = text(n, "name", null);
            Role role = Role.parse(text(n, "role", null));
            String tenant = text(n, "tenant", io.vectorflow.engine.Database.DEFAULT_TENANT);
            List<String> collections = new ArrayList<>();
            JsonNode cs = n.get("collections");
            if (cs != null && !cs.isNull()) {
                if (!cs.isArray()) {
                    throw ApiException.unprocessable("collections must be an array of collection names");
                }
                for (JsonNode x : cs) {
                    if (!x.isTextual()) {
                        throw ApiException.unprocessable("collections must be an array of collection names, got " + Body.brief(x));
                    }
                    collections.add(x.asText());
                }
            }
            ApiKeys.Created made = keys.create(name, role, tenant, collections);
            Map<String, Object> out = new java.util.LinkedHashMap<>(ApiKeys.describe(List.of(made.key())).getFirst());
            out.put("key", made.secret());
            return Rest.Reply.of(out);
        }));
        sb.route().delete("/admin/keys/{id}").build(rest.admin(c -> {
            if (!keys.revoke(c.param("id"))) {
                throw new ApiException(404, "no API key with id '" + c.param("id") + "'");
            }
            return Rest.Reply.of(true);
        }));
        sb.route().get("/admin/tenants").build(rest.admin(c -> Rest.Reply.of(Map.of("tenants",
                db.listTenants().stream().map(t -> tenant(db.tenant(t))).toList()))));
        sb.route().get("/admin/tenants/{tenant}").build(rest.admin(c -> Rest.Reply.of(tenant(db.tenant(c.param("tenant"))))));
        sb.route().put("/admin/tenants/{tenant}").build(rest.admin(c -> {
            io.vectorflow.engine.Database t = db.tenant(c.param("tenant"));
            JsonNode n = c.json();
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("body must be an object of quotas: max_collections, max_points, max_disk_bytes,"
                        + " max_requests_per_second (0: no limit)");
            }
            java.util.Set<String> known = java.util.Set.of("max_collections", "max_points", "max_disk_bytes", "max_requests_per_second");
            n.fieldNames().forEachRemaining(f -> {
                if (!known.contains(f)) {
                    throw ApiException.badRequest("unknown quota '" + f + "'; known: " + new java.util.TreeSet<>(known));
                }
            });
            t.setQuotas(new io.vectorflow.engine.TenantQuotas(count(n, "max_collections"), count(n, "max_points"),
                    count(n, "max_disk_bytes"), count(n, "max_requests_per_second")));
            return Rest.Reply.of(tenant(t));
        }));
    }

    private static long count(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToExactIntegral() || v.asLong() < 0) {
            throw ApiException.unprocessable(field + " must be a whole number of at least 0, got " + Body.brief(v));
        }
        return v.asLong();
    }

    private static Map<String, Object> tenant(io.vectorflow.engine.Database t) {
        var q = t.quotas();
        var u = t.usage();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("tenant", t.tenantName());
        out.put("quotas", Map.of("max_collections", q.maxCollections(), "max_points", q.maxPoints(), "max_disk_bytes",
                q.maxDiskBytes(), "max_requests_per_second", q.maxRequestsPerSecond()));
        out.put("usage", Map.of("collections", u.collections(), "points", u.points(), "disk_bytes", u.diskBytes()));
        return out;
    }

    private static String text(JsonNode n, String field, String otherwise) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (otherwise == null) {
                throw ApiException.badRequest(field + " is required");
            }
            return otherwise;
        }
        if (!v.isTextual()) {
            throw ApiException.unprocessable(field + " must be a string, got " + Body.brief(v));
        }
        return v.asText();
    }
}
