package io.vectorflow.server;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vectorflow.engine.perf.Tracing;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Request tracing with OpenTelemetry. Off (no tracer, no cost) unless an OTLP endpoint is
 * configured ({@code --otlp-endpoint}, or a test passes its own SDK). Each REST or gRPC request
 * becomes a server span, a child of the caller's span when the request carries a W3C
 * {@code traceparent}; the engine's spans ({@link Tracing}) nest under it.
 */
final class ServerTracing {

    private ServerTracing() {}

    /** An SDK exporting spans over OTLP/HTTP to {@code endpoint} (e.g. http://127.0.0.1:4318), or null for none. */
    static OpenTelemetry otlp(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            return null;
        }
        String url = endpoint.endsWith("/v1/traces") ? endpoint : endpoint.replaceAll("/+$", "") + "/v1/traces";
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
                        "vectorflow"))))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(url).build()).build())
                .build();
        return OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    }

    /** Installs {@code otel}'s tracer for the engine and the servers; null turns tracing off. */
    static void install(OpenTelemetry otel) {
        Tracing.install(otel == null ? null : otel.getTracer("io.vectorflow", VectorFlowServer.VERSION));
    }

    /**
     * Starts a server span named {@code name}, its parent taken from the carrier's
     * {@code traceparent} (read with {@code header}); null when tracing is off.
     */
    static <C> Span serverSpan(String name, C carrier, Function<String, String> header) {
        Tracer t = Tracing.tracer();
        if (t == null) {
            return null;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, new TextMapGetter<C>() {
            @Override
            public Iterable<String> keys(C c) {
                List<String> keys = new ArrayList<>();
                keys.add("traceparent");
                keys.add("tracestate");
                return keys;
            }

            @Override
            public String get(C c, String key) {
                return c == null ? null : header.apply(key);
            }
        });
        return t.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    }

    static void end(Span span, int status) {
        if (span != null) {
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }
}
