package io.vectorflow.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import io.vectorflow.server.auth.Access;

/**
 * The management dashboard at {@code /dashboard/}: static files from the jar
 * ({@code resources/dashboard}: plain HTML, CSS and JavaScript, charts drawn on canvas), served
 * to anyone because they hold no data. Everything the dashboard shows it reads through the REST
 * API with the key the user enters, so it sees and changes only what that key may. Answers carry
 * a strict content security policy (scripts and connections to this origin only) and may not be
 * framed.
 */
final class Dashboard {

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private Dashboard() {
    }

    static void register(ServerBuilder sb) {
        sb.route().get("/dashboard").build(Guarded.of(Access.PUBLIC, (ctx, req) ->
                HttpResponse.of(ResponseHeaders.of(HttpStatus.TEMPORARY_REDIRECT, "location", "/dashboard/"))));
        FileService files = FileService.builder(Dashboard.class.getClassLoader(), "dashboard")
                .cacheControl(ServerCacheControl.REVALIDATED).build();
        sb.serviceUnder("/dashboard/", Guarded.of(Access.PUBLIC, files.decorate((delegate, ctx, req) -> {
            ctx.mutateAdditionalResponseHeaders(h -> h.set("content-security-policy", CSP).set("x-frame-options", "DENY")
                    .set("x-content-type-options", "nosniff").set("referrer-policy", "no-referrer"));
            return delegate.serve(ctx, req);
        })));
    }
}
