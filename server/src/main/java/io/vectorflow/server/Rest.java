package io.vectorflow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.vectorflow.engine.AlreadyExistsException;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.NotFoundException;
import io.vectorflow.storage.OverloadedException;
import io.vectorflow.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The envelope every REST answer shares, Qdrant's: {@code {"result": …, "status": "ok", "time":
 * seconds, "performance": {…}}}, plus {@code "warnings": […]} when fields were accepted without
 * effect; errors are {@code {"status": {"error": "…"}, "time": seconds}} with a 4xx code naming
 * the field (5xx only for faults of the server itself).
 *
 * <p>Handlers run on Armeria's blocking executor (engine calls wait for disk) after the body is
 * aggregated under the size limit.
 */
final class Rest {

    private static final Logger LOG = LoggerFactory.getLogger(Rest.class);

    private Rest() {}

    /** One request: path parameters, query string, parsed body. */
    record Call(ServiceRequestContext ctx, AggregatedHttpRequest request, JsonNode json, long startNanos) {
        String param(String name) {
            return ctx.pathParam(name);
        }

        String query(String name) {
            return ctx.queryParam(name);
        }

        Body body() {
            return Body.of(json, "");
        }

        byte[] bytes() {
            return request.content().array();
        }
    }

    /**
     * A successful answer: the {@code result}, the {@code performance} object (latency is added
     * if absent), and warnings about fields that had no effect.
     */
    record Reply(Object result, ObjectNode performance, List<String> warnings) {
        static Reply of(Object result) {
            return new Reply(result, null, List.of());
        }
    }

    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws Exception;
    }

    /** A raw answer (a file download), bypassing the envelope. */
    @FunctionalInterface
    interface RawHandler {
        HttpResponse handle(Call call) throws Exception;
    }

    /** A service that aggregates the body, parses JSON (if {@code json}), runs the handler blocking and wraps the answer. */
    static HttpService json(Handler handler) {
        return raw(call -> envelope(call, handler.handle(call)), true);
    }

    /**
     * A service that aggregates the body and runs the handler on the blocking executor, inside a
     * server span (when tracing is on) and with the request id in the logging context; each
     * request is logged once it is answered.
     */
    static HttpService raw(RawHandler handler, boolean parseJson) {
        return (ctx, req) -> {
            long start = System.nanoTime();
            return HttpResponse.of(req.aggregate().handleAsync((agg, err) -> {
                io.opentelemetry.api.trace.Span span = ServerTracing.serverSpan(req.method() + " " + routeOf(ctx), req.headers(),
                        key -> req.headers().get(key));
                org.slf4j.MDC.put("request_id", ctx.id().text());
                HttpResponse response;
                int status;
                try (var scope = io.vectorflow.engine.perf.Tracing.enter(span)) {
                    if (err != null) {
                        throw err instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : err;
                    }
                    JsonNode body = parseJson ? parse(agg) : null;
                    response = handler.handle(new Call(ctx, agg, body, start));
                    status = 200;
                } catch (Throwable t) {
                    status = statusOf(t);
                    response = error(t, start);
                }
                ServerTracing.end(span, status);
                if (ACCESS.isDebugEnabled() || status >= 500) {
                    ACCESS.info("{} {} {} {} ms", req.method(), ctx.path(), status, (System.nanoTime() - start) / 1_000_000);
                }
                org.slf4j.MDC.remove("request_id");
                return response;
            }, ctx.blockingTaskExecutor()));
        };
    }

    private static final Logger ACCESS = LoggerFactory.getLogger("io.vectorflow.access");

    private static String routeOf(ServiceRequestContext ctx) {
        return ctx.config().route().patternString();
    }

    private static JsonNode parse(AggregatedHttpRequest agg) {
        byte[] bytes = agg.content().array();
        if (bytes.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("request body cannot be read: " + e.getMessage());
        }
    }

    static HttpResponse envelope(Call call, Reply reply) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("result", Json.MAPPER.valueToTree(reply.result()));
        root.put("status", "ok");
        root.put("time", seconds(call.startNanos()));
        ObjectNode perf = reply.performance() != null ? reply.performance() : Json.MAPPER.createObjectNode();
        if (!perf.has("latency_ms")) {
            perf.put("latency_ms", (System.nanoTime() - call.startNanos()) / 1e6);
        }
        root.set("performance", perf);
        if (!reply.warnings().isEmpty()) {
            root.set("warnings", Json.MAPPER.valueToTree(reply.warnings()));
        }
        return write(HttpStatus.OK, root);
    }

    /** The HTTP status an exception answers with. */
    static int statusOf(Throwable t) {
        return statusAndMessage(t).status();
    }

    private record Outcome(int status, String message) {}

    static HttpResponse error(Throwable t, long start) {
        Outcome o = statusAndMessage(t);
        if (o.status() >= 500) {
            LOG.error("request failed", t);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("status").put("error", o.message());
        root.put("time", seconds(start));
        return write(HttpStatus.valueOf(o.status()), root);
    }

    private static Outcome statusAndMessage(Throwable t) {
        if (t instanceof com.linecorp.armeria.server.HttpStatusException h && h.getCause() instanceof ContentTooLargeException c) {
            t = c;
        }
        int status;
        String message = t.getMessage();
        switch (t) {
            case ApiException a -> status = a.status();
            case ContentTooLargeException c -> {
                status = 413;
                message = "request body is larger than the limit of " + c.maxContentLength() + " bytes";
            }
            case com.linecorp.armeria.server.HttpStatusException h when h.httpStatus().code() < 500 -> {
                status = h.httpStatus().code();
                message = h.httpStatus().reasonPhrase();
            }
            case NotFoundException n -> status = 404;
            case AlreadyExistsException a -> status = 409;
            case IllegalArgumentException i -> status = 400;
            case OverloadedException o -> status = 503;
            case StorageException s when s.getMessage() != null && (s.getMessage().contains("read-only")
                    || s.getMessage().contains("closed")) -> status = 503; // read-only, or being reopened: retry
            case IllegalStateException s when s.getMessage() != null && s.getMessage().toLowerCase().contains("closed") -> {
                status = 503; // the collection was closed under the request (dropped, restored, reconfigured)
                message = "the collection was closed while this request ran (dropped, restored or reconfigured); retry";
            }
            default -> {
                status = 500;
                message = "internal error: " + t;
            }
        }
        return new Outcome(status, message == null ? t.toString() : message);
    }

    static HttpResponse write(HttpStatus status, ObjectNode root) {
        try {
            byte[] bytes = Json.MAPPER.writeValueAsBytes(root);
            return HttpResponse.of(ResponseHeaders.of(status, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE,
                    MediaType.JSON_UTF_8), com.linecorp.armeria.common.HttpData.wrap(bytes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static List<String> warnings() {
        return new ArrayList<>();
    }
}
