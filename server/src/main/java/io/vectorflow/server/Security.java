package io.vectorflow.server;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import io.vectorflow.server.auth.Access;
import io.vectorflow.server.auth.AuditLog;
import io.vectorflow.server.auth.Authenticator;
import io.vectorflow.server.auth.Principal;

/**
 * What both protocols' guards share: who may do what ({@link Authenticator}), where mutating and
 * administrative calls are recorded ({@link AuditLog}, or none), and the principal of the
 * request being served, kept on its {@link ServiceRequestContext}.
 */
final class Security {

    private static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf(Security.class, "principal");

    private final Authenticator auth;
    private final AuditLog audit;
    private final io.vectorflow.engine.Database root;
    /** Token buckets of the tenants with a request rate quota: one second's worth of burst. */
    private final java.util.concurrent.ConcurrentHashMap<String, Bucket> rates = new java.util.concurrent.ConcurrentHashMap<>();

    Security(Authenticator auth, AuditLog audit, io.vectorflow.engine.Database root) {
        this.auth = auth;
        this.audit = audit;
        this.root = root;
    }

    private static final class Bucket {
        private double tokens = -1;
        private long lastNanos;

        synchronized boolean take(long perSecond) {
            long now = System.nanoTime();
            tokens = tokens < 0 ? perSecond : Math.min(perSecond, tokens + (now - lastNanos) * perSecond / 1e9);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /**
     * Takes one request from {@code p}'s tenant's rate quota; returns null when it may go on, else
     * the message of its 429 (REST) or RESOURCE_EXHAUSTED (gRPC).
     */
    String overRate(Principal p) {
        long perSecond = (p.tenant().equals(root.tenantName()) ? root : root.tenant(p.tenant())).quotas().maxRequestsPerSecond();
        if (perSecond <= 0) {
            return null;
        }
        return rates.computeIfAbsent(p.tenant(), t -> new Bucket()).take(perSecond) ? null : "tenant '" + p.tenant()
                + "' is over its quota max_requests_per_second (" + perSecond + "); retry in a second";
    }

    void close() {
        if (audit != null) {
            audit.close();
        }
    }

    Authenticator auth() {
        return auth;
    }

    /** The principal of the request {@code ctx} serves ({@link Principal#LOCAL} when none was set: a server without keys). */
    static Principal principal(ServiceRequestContext ctx) {
        Principal p = ctx == null ? null : ctx.attr(PRINCIPAL);
        return p == null ? Principal.LOCAL : p;
    }

    /** The principal of the request being served on this thread. */
    static Principal current() {
        return principal(ServiceRequestContext.currentOrNull());
    }

    /** The collections of the tenant the request being served on this thread acts for. */
    static io.vectorflow.engine.Database db(io.vectorflow.engine.Database root) {
        String tenant = current().tenant();
        return tenant.equals(root.tenantName()) ? root : root.tenant(tenant);
    }

    /** Of {@code names}, those the request being served may see. */
    static java.util.List<String> visible(java.util.List<String> names) {
        Principal p = current();
        return p.collections().isEmpty() ? names : names.stream().filter(p::sees).toList();
    }

    /** Of {@code aliases} (alias to collection), those whose collection the request being served may see. */
    static java.util.Map<String, String> visibleAliases(java.util.Map<String, String> aliases) {
        Principal p = current();
        if (p.collections().isEmpty()) {
            return aliases;
        }
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        aliases.forEach((a, c) -> {
            if (p.sees(c)) {
                out.put(a, c);
            }
        });
        return out;
    }

    static void set(ServiceRequestContext ctx, Principal p) {
        ctx.setAttr(PRINCIPAL, p);
    }

    /** Whether calls of {@code access} are audited. */
    static boolean audited(Access access) {
        return access == Access.WRITE || access == Access.MANAGE || access == Access.ADMIN;
    }

    void audit(Principal p, String action, String collection, String result, String requestId) {
        if (audit != null) {
            audit.record(p.keyId(), p.tenant(), action, collection, result, requestId);
        }
    }

    /** The message of a 403 for {@code p} doing {@code access} on {@code collection}. */
    static String denied(Principal p, Access access, String collection) {
        String what = switch (access) {
            case READ -> "read";
            case WRITE -> "write to";
            case MANAGE -> "manage";
            case METRICS -> "read the metrics of";
            case ADMIN -> "administer";
            default -> "use";
        };
        return "the API key '" + p.keyId() + "' (" + p.role().label() + ") may not " + what
                + (collection != null ? " collection '" + collection + "'" : p.collections().isEmpty() || access != Access.MANAGE
                        && access != Access.WRITE ? " this server" : " anything but its collections " + p.collections().keySet());
    }
}
