package io.vectorflow.server;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.vectorflow.server.auth.Access;
import io.vectorflow.server.auth.Authenticator;
import io.vectorflow.server.auth.Principal;

/**
 * Checks every REST request before anything of it is read: the route's {@link Guarded} rule, the
 * key ({@code 401} when it is required and missing or wrong), and whether the key's role and
 * collections allow the call ({@code 403}, before the collection is looked up, so the answer says
 * nothing about whether it exists). Calls that change something or administer are written to the
 * audit log when they end.
 */
final class RestGuard implements DecoratingHttpServiceFunction {

    private final Security security;

    RestGuard(Security security) {
        this.security = security;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        long start = System.nanoTime();
        Guarded rule = ctx.config().service().as(Guarded.class);
        if (rule == null) {
            return refuse(req, Rest.error(new ApiException(403, "no access rule for " + ctx.config().route().patternString()
                    + "; refused to every key"), start));
        }
        Access access = rule.access();
        if (access == Access.PUBLIC) {
            return delegate.serve(ctx, req);
        }
        Principal p;
        try {
            p = security.auth().authenticate(req.headers().get("api-key"), req.headers().get(HttpHeaderNames.AUTHORIZATION));
        } catch (Authenticator.Refused refused) {
            return refuse(req, Rest.error(new ApiException(401, refused.getMessage()), start));
        }
        String collection = ctx.pathParams().containsKey("name") ? ctx.pathParam("name") : null;
        if (!p.allows(access, collection)) {
            HttpResponse denied = refuse(req, Rest.error(new ApiException(403, Security.denied(p, access, collection)), start));
            if (Security.audited(access)) {
                security.audit(p, req.method() + " " + Guarded.pattern(ctx.config().route()), collection, "403", ctx.id().text());
            }
            return denied;
        }
        String overRate = security.overRate(p);
        if (overRate != null) {
            return refuse(req, Rest.error(new ApiException(429, overRate), start));
        }
        Security.set(ctx, p);
        if (Security.audited(access)) {
            String action = req.method() + " " + Guarded.pattern(ctx.config().route());
            ctx.log().whenComplete().thenAccept(log -> security.audit(p, action, collection,
                    log.isAvailable(com.linecorp.armeria.common.logging.RequestLogProperty.RESPONSE_HEADERS)
                            ? Integer.toString(log.responseHeaders().status().code()) : "cancelled", ctx.id().text()));
        }
        return delegate.serve(ctx, req);
    }

    /** Largest body read (and dropped) before a refusal is sent, so that HTTP/2 clients see the answer rather than a reset stream. */
    private static final long DRAINED_BODY_BYTES = 1 << 20;

    /**
     * Answers {@code refusal} once a small body has arrived (and is dropped); a large one, or one of
     * unknown length on a method that carries a body, is not read: the refusal goes at once and
     * the rest of the upload is cut off.
     */
    private static HttpResponse refuse(HttpRequest req, HttpResponse refusal) {
        long length = req.headers().contentLength();
        boolean bodiless = length < 0 && (req.method() == com.linecorp.armeria.common.HttpMethod.GET
                || req.method() == com.linecorp.armeria.common.HttpMethod.HEAD || req.method() == com.linecorp.armeria.common.HttpMethod.DELETE);
        if (!bodiless && (length < 0 || length > DRAINED_BODY_BYTES)) {
            req.abort();
            return refusal;
        }
        return HttpResponse.of(req.aggregate().handle((body, error) -> refusal));
    }
}
