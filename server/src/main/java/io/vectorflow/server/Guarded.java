package io.vectorflow.server;

import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import io.vectorflow.server.auth.Access;

/**
 * A REST route's service with its access rule. {@link RestGuard} finds it under whatever else
 * decorates the route; a route whose service is not one is refused to every key.
 */
final class Guarded extends SimpleDecoratingHttpService {

    private final Access access;

    private Guarded(Access access, HttpService delegate) {
        super(delegate);
        this.access = access;
    }

    static HttpService of(Access access, HttpService service) {
        return new Guarded(access, service);
    }

    /** A route's pattern as the API documents it: {@code /collections/{name}} (Armeria writes {@code :name}). */
    static String pattern(com.linecorp.armeria.server.Route route) {
        return route.patternString().replaceAll(":([A-Za-z_]+)", "{$1}");
    }

    Access access() {
        return access;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        return unwrap().serve(ctx, req);
    }
}
