package io.vectorflow.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.storage.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns what a request presents (header {@code api-key}, or {@code Authorization: Bearer …}, on
 * REST and as gRPC metadata, Qdrant's spellings) into a {@link Principal}, or refuses it.
 *
 * <p>Accepted, in this order: the server's admin key ({@code --api-key}), its read-only key
 * ({@code --read-only-api-key}), a key of the data directory's {@link ApiKeys}, and a JWT signed
 * with the admin key (HS256) carrying Qdrant's claims: {@code exp} (seconds since the epoch),
 * {@code access} either {@code "m"} (everything, as the admin key) or {@code "r"} (read only), or
 * a list of {@code {"collection": …, "access": "r" | "rw"}}; and our own {@code tenant}
 * (default {@code default}). Qdrant's {@code value_exists} claim is refused, not ignored.
 *
 * <p>Authentication is required when any key exists, or always when {@code required} (a server
 * that listens beyond loopback); otherwise every request acts as {@link Principal#LOCAL}.
 */
public final class Authenticator {

    private final byte[] adminKey;
    private final byte[] readOnlyKey;
    private final ApiKeys keys;
    private final boolean required;

    /**
     * @param adminKey    full-access key, or null
     * @param readOnlyKey read-only key, or null
     * @param keys        the data directory's keys
     * @param required    refuse requests without a valid key even when no key exists yet
     */
    public Authenticator(String adminKey, String readOnlyKey, ApiKeys keys, boolean required) {
        this.adminKey = bytes(adminKey);
        this.readOnlyKey = bytes(readOnlyKey);
        this.keys = keys;
        this.required = required;
    }

    private static byte[] bytes(String key) {
        return key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether requests must present a key. */
    public boolean enabled() {
        return required || adminKey != null || readOnlyKey != null || !keys.isEmpty();
    }

    /** The data directory's keys. */
    public ApiKeys keys() {
        return keys;
    }

    /** Why a key was refused, for the 401's message. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Who a request is, from its {@code api-key} and {@code authorization} header values.
     *
     * @throws Refused when a key is required and none or a wrong one is presented
     */
    public Principal authenticate(String apiKeyHeader, String authorization) {
        String presented = apiKeyHeader;
        if ((presented == null || presented.isEmpty()) && authorization != null) {
            String a = authorization.strip();
            presented = a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).strip() : null;
        }
        if (!enabled()) {
            return Principal.LOCAL;
        }
        if (presented == null || presented.isEmpty()) {
            throw new Refused("this server requires an API key: send it in the header 'api-key' or as 'Authorization:"
                    + " Bearer <key>'");
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        if (adminKey != null && MessageDigest.isEqual(p, adminKey)) {
            return new Principal("admin", Database.DEFAULT_TENANT, Role.ADMIN, Map.of());
        }
        if (readOnlyKey != null && MessageDigest.isEqual(p, readOnlyKey)) {
            return new Principal("read-only", Database.DEFAULT_TENANT, Role.READ_ONLY, Map.of());
        }
        var stored = keys.find(presented);
        if (stored.isPresent()) {
            return stored.get().principal();
        }
        if (adminKey != null && presented.chars().filter(c -> c == '.').count() == 2) {
            return jwt(presented);
        }
        throw new Refused("the API key is not valid (unknown or revoked)");
    }

    /** A JWT signed with the admin key, as Qdrant's {@code jwt_rbac}. */
    private Principal jwt(String token) {
        String[] parts = token.split("\\.", -1);
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new Refused("the API key is not valid (unknown, revoked, or a malformed JWT)");
        }
        if (header == null || !"HS256".equals(header.path("alg").asText())) {
            throw new Refused("JWT must be signed with HS256 and the server's API key");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(adminKey, "HmacSHA256"));
            byte[] want = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(want, signature)) {
                throw new Refused("the API key is not valid (a JWT whose signature does not match)");
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        if (claims == null || !claims.isObject()) {
            throw new Refused("JWT claims must be a JSON object");
        }
        if (claims.has("exp") && (!claims.get("exp").isNumber() || claims.get("exp").asLong() * 1000 < System.currentTimeMillis())) {
            throw new Refused("the JWT has expired (exp)");
        }
        if (claims.has("value_exists")) {
            throw new Refused("JWT claim value_exists is not supported by this server");
        }
        String tenant = claims.has("tenant") ? claims.get("tenant").asText() : Database.DEFAULT_TENANT;
        try {
            Names.check("tenant", tenant);
        } catch (IllegalArgumentException e) {
            throw new Refused("JWT claim " + e.getMessage());
        }
        String id = "jwt:" + (claims.hasNonNull("sub") ? claims.get("sub").asText() : "token");
        JsonNode access = claims.get("access");
        if (access == null) {
            throw new Refused("JWT claim access is missing: give \"m\", \"r\" or a list of {collection, access}");
        }
        if (access.isTextual()) {
            return switch (access.asText()) {
                case "m" -> new Principal(id, tenant, Role.ADMIN, Map.of());
                case "r" -> new Principal(id, tenant, Role.READ_ONLY, Map.of());
                default -> throw new Refused("JWT claim access must be \"m\", \"r\" or a list, got '" + access.asText() + "'");
            };
        }
        if (!access.isArray() || access.isEmpty()) {
            throw new Refused("JWT claim access must be \"m\", \"r\" or a non-empty list of {collection, access}");
        }
        Map<String, Role> limits = new LinkedHashMap<>();
        for (JsonNode a : access) {
            String c = a.path("collection").asText("");
            String level = a.path("access").asText("");
            if (c.isEmpty() || !(level.equals("r") || level.equals("rw"))) {
                throw new Refused("JWT claim access: each entry needs collection and access \"r\" or \"rw\"");
            }
            limits.put(c, level.equals("rw") ? Role.READ_WRITE : Role.READ_ONLY);
        }
        return new Principal(id, tenant, Role.READ_WRITE, limits);
    }
}
