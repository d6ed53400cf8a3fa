package io.vectorflow.engine.perf;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Where the engine's spans go: nowhere until a {@link Tracer} is installed (by the server, when
 * tracing is configured), and then child spans of whatever span is current on the calling
 * thread. Off costs one volatile read per span site.
 *
 * <p>Spans: {@code search} (attributes: collection, limit, ef, strategy, vectors scanned) with a
 * {@code segment.search} child per segment (points, strategy, distances; its own {@code plan}
 * child) and a {@code merge} child; {@code upsert} with a {@code wal.write} child (append and wait for the group commit's
 * force).
 */
public final class Tracing {

    private static volatile Tracer tracer;

    private Tracing() {}

    /** Sends engine spans to {@code t}; null turns them off. */
    public static void install(Tracer t) {
        tracer = t;
    }

    /** The installed tracer, or null when tracing is off. */
    public static Tracer tracer() {
        return tracer;
    }

    /** A started child span of the current one, or null when tracing is off. */
    public static Span start(String name) {
        Tracer t = tracer;
        return t == null ? null : t.spanBuilder(name).startSpan();
    }

    /** Makes {@code span} current (its children nest under it); null-safe. */
    public static Scope enter(Span span) {
        return span == null ? Scope.noop() : span.makeCurrent();
    }

    public static void end(Span span) {
        if (span != null) {
            span.end();
        }
    }
}
