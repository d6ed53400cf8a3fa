package io.vectorflow.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * A server span per gRPC call (child of the caller's W3C {@code traceparent} metadata), current
 * while the call's handler runs so the engine's spans nest under it. Nothing happens when
 * tracing is off.
 */
final class GrpcTracing implements ServerInterceptor {

    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TRACESTATE = Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Span span = ServerTracing.serverSpan("grpc " + call.getMethodDescriptor().getFullMethodName(), headers,
                key -> headers.get("traceparent".equals(key) ? TRACEPARENT : TRACESTATE));
        if (span == null) {
            return next.startCall(call, headers);
        }
        ServerCall<Q, R> ending = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                span.setAttribute("rpc.grpc.status_code", status.getCode().value());
                if (!status.isOk()) {
                    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, status.getCode().name());
                }
                span.end();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try (Scope s = span.makeCurrent()) {
            listener = next.startCall(ending, headers);
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                try (Scope s = span.makeCurrent()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                try (Scope s = span.makeCurrent()) {
                    super.onHalfClose();
                }
            }
        };
    }
}
