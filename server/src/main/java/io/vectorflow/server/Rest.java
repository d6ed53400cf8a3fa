package io.vectorflow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.BudgetExceededException;
import io.vectorflow.core.search.OffLoopException;
import io.vectorflow.engine.AlreadyExistsException;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.NotFoundException;
import io.vectorflow.server.auth.Access;
import io.vectorflow.storage.DiskFullException;
import io.vectorflow.storage.OverloadedException;
import io.vectorflow.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every REST request is served, and the envelope every answer shares, Qdrant's:
 * {@code {"result": …, "status": "ok", "time": seconds, "performance": {…}}}, plus
 * {@code "warnings": […]} when fields were accepted without effect; errors are
 * {@code {"status": {"error": "…"}, "time": seconds}} with a 4xx code naming the field (5xx only
 * for faults of the server itself: 503 with {@code Retry-After} when it is busy, 507 when its
 * disk is full).
 *
 * <p>A request first reserves working memory for its body ({@link Admission}), then its body is
 * aggregated under the size limit, then its handler runs on its lane's bounded pool, inside a
 * {@link Budget} that ends with the request's {@code timeout} (seconds, a query parameter on
 * every route, as Qdrant's) or the server's request timeout, and is cancelled when the client
 * goes away: long work stops within milliseconds of either.
 */
final class Rest {

    private static final Logger LOG = LoggerFactory.getLogger(Rest.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("io.vectorflow.access");
    /**
     * Work a search may do on a network thread before it moves to a worker: distance
     * evaluations times dimensions (about 0.5 ms of this machine's kernels); a siftsmall search
     * at {@code hnsw_ef} 16 needs about a tenth of it, one over 1,000,000 × 128 at 64 a third.
     */
    static final long INLINE_UNITS = 4_000_000;
    /** Largest body of a search tried inline (a 1,536-dimension query in JSON is about 20 KB). */
    static final int INLINE_BODY_BYTES = 64 << 10;
    /** Longest {@code timeout} a request may ask for, in seconds. */
    static final int MAX_TIMEOUT_SECONDS = 86_400;

    private final Admission admission;
    private final Disconnects disconnects;

    Rest(Admission admission, Disconnects disconnects) {
        this.admission = admission;
        this.disconnects = disconnects;
    }

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

    /** A JSON endpoint that reads (search, get, scroll, count, info): the read lane. */
    HttpService read(Handler handler) {
        return raw(Access.READ, Admission.Lane.READ, call -> envelope(call, handler.handle(call)), true, false);
    }

    /**
     * A JSON endpoint that reads and is usually cheap (searches): tried first on the network
     * thread the request arrived on, with an allowance of {@link #INLINE_UNITS}; the engine
     * moves it to the read lane ({@link OffLoopException}) as soon as it finds it would cost
     * more, before doing the costly part. A cheap search so skips two thread hand-offs.
     */
    HttpService search(Handler handler) {
        return raw(Access.READ, Admission.Lane.READ, call -> envelope(call, handler.handle(call)), true, true);
    }

    /** A JSON endpoint that changes points or payload indexes: the write lane. */
    HttpService write(Handler handler) {
        return raw(Access.WRITE, Admission.Lane.WRITE, call -> envelope(call, handler.handle(call)), true, false);
    }

    /** A JSON endpoint that creates, changes or drops collections, aliases or snapshots: the write lane. */
    HttpService manage(Handler handler) {
        return raw(Access.MANAGE, Admission.Lane.WRITE, call -> envelope(call, handler.handle(call)), true, false);
    }

    /** A JSON endpoint of server administration (keys): the write lane. */
    HttpService admin(Handler handler) {
        return raw(Access.ADMIN, Admission.Lane.WRITE, call -> envelope(call, handler.handle(call)), true, false);
    }

    /**
     * An endpoint of access rule {@code access} (see {@link RestGuard}) that reserves memory,
     * aggregates the body (parsing it as JSON if {@code parseJson}), and runs the handler on
     * {@code lane} inside the request's budget, in a server span (when tracing is on) and with
     * the request id in the logging context.
     */
    HttpService raw(Access access, Admission.Lane lane, RawHandler handler, boolean parseJson) {
        return raw(access, lane, handler, parseJson, false);
    }

    /** As {@link #raw(Access, Admission.Lane, RawHandler, boolean)}, tried inline first when {@code inline} (see {@link #search}). */
    HttpService raw(Access access, Admission.Lane lane, RawHandler handler, boolean parseJson, boolean inline) {
        return Guarded.of(access, (ctx, req) -> {
            long start = System.nanoTime();
            Admission.Reservation memory;
            Budget budget;
            try {
                budget = budget(ctx);
                memory = admission.reserve(req.headers().contentLength() >= 0 ? req.headers().contentLength()
                        : Admission.UNKNOWN_BODY_BYTES);
            } catch (RuntimeException e) {
                req.abort();
                return error(e, start);
            }
            CompletableFuture<HttpResponse> answer = req.aggregate().thenCompose(agg -> {
                memory.resize(agg.content().length());
                if (inline && agg.content().length() <= INLINE_BODY_BYTES && admission.taking()) {
                    budget.allowInline(INLINE_UNITS);
                    try {
                        return CompletableFuture.completedFuture(handle(ctx, req, agg, parseJson, handler, budget, start));
                    } catch (OffLoopException tooCostly) {
                        budget.endInline();
                    }
                }
                return admission.run(lane, () -> handle(ctx, req, agg, parseJson, handler, budget, start));
            }).exceptionally(t -> error(t, start));
            answer.whenComplete((r, t) -> memory.close());
            return HttpResponse.of(answer);
        });
    }

    /** Runs {@code work} on {@code lane} inside this request's budget (for streaming endpoints). */
    <T> CompletableFuture<T> onLane(ServiceRequestContext ctx, Admission.Lane lane, java.util.concurrent.Callable<T> work) {
        Budget budget = budget(ctx);
        return admission.run(lane, () -> {
            try (var pushed = ctx.push(); var scope = budget.enter()) {
                return work.call();
            }
        });
    }

    private HttpResponse handle(ServiceRequestContext ctx, HttpRequest req, AggregatedHttpRequest agg, boolean parseJson,
                                RawHandler handler, Budget budget, long start) {
        io.opentelemetry.api.trace.Span span = ServerTracing.serverSpan(req.method() + " " + routeOf(ctx), req.headers(),
                key -> req.headers().get(key));
        org.slf4j.MDC.put("request_id", ctx.id().text());
        HttpResponse response;
        int status;
        try (var pushed = ctx.push(); var scope = io.vectorflow.engine.perf.Tracing.enter(span); var inBudget = budget.enter()) {
            budget.check(); // the client may have gone while the request waited
            JsonNode body = parseJson ? parse(agg) : null;
            response = handler.handle(new Call(ctx, agg, body, start));
            status = 200;
        } catch (OffLoopException tooCostly) {
            org.slf4j.MDC.remove("request_id");
            throw tooCostly; // nothing was done yet: run again on a worker
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
    }

    /**
     * The budget of a request: it ends with the request's {@code timeout} (seconds) if it gives
     * one, else with the server's request timeout, and is cancelled when the client goes away.
     * Armeria's own timer is moved a second later, so the answer is this server's 408.
     */
    Budget budget(ServiceRequestContext ctx) {
        String t = ctx.queryParam("timeout");
        long timeoutMillis;
        if (t != null) {
            if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(t) < 1 || Integer.parseInt(t) > MAX_TIMEOUT_SECONDS) {
                throw ApiException.badRequest("timeout must be a whole number of seconds from 1 to " + MAX_TIMEOUT_SECONDS
                        + ", got '" + Body.brief(Json.MAPPER.getNodeFactory().textNode(t)) + "'");
            }
            timeoutMillis = Integer.parseInt(t) * 1000L;
        } else {
            timeoutMillis = ctx.requestTimeoutMillis();
        }
        return budget(ctx, timeoutMillis);
    }

    /**
     * A budget of {@code timeoutMillis} (0: none beyond cancellation) for the request of
     * {@code ctx}: it ends early when the request is cancelled or its client goes away.
     */
    Budget budget(ServiceRequestContext ctx, long timeoutMillis) {
        Budget budget = timeoutMillis > 0 ? Budget.withTimeoutNanos(timeoutMillis * 1_000_000) : Budget.cancellable();
        if (timeoutMillis > 0) {
            ctx.setRequestTimeoutMillis(com.linecorp.armeria.common.util.TimeoutMode.SET_FROM_NOW, timeoutMillis + 1000);
        }
        ctx.whenRequestCancelling().thenAccept(cause -> budget.cancel("the request was cancelled (the client went away or"
                + " the server is shutting down)"));
        disconnects.watch(ctx, budget);
        return budget;
    }

    private static String routeOf(ServiceRequestContext ctx) {
        return ctx.config().route().patternString();
    }

    private static JsonNode parse(AggregatedHttpRequest agg) {
        byte[] bytes = agg.content().array();
        if (bytes.length == 0) {
            return null;
        }
        try {
            return RequestJson.read(bytes); // vectors stay arrays of numbers, not a node per element
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("request body cannot be read: " + e.getMessage());
        }
    }

    /**
     * Writes the envelope straight to bytes with one generator: the result (trees or plain
     * objects) is serialised where it stands, never first converted to another tree.
     */
    static HttpResponse envelope(Call call, Reply reply) {
        ObjectNode perf = reply.performance() != null ? reply.performance() : Json.MAPPER.createObjectNode();
        if (!perf.has("latency_ms")) {
            perf.put("latency_ms", (System.nanoTime() - call.startNanos()) / 1e6);
        }
        com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(1024);
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("result");
            Json.MAPPER.writeValue(g, reply.result());
            g.writeStringField("status", "ok");
            g.writeNumberField("time", seconds(call.startNanos()));
            g.writeFieldName("performance");
            g.writeTree(perf);
            if (!reply.warnings().isEmpty()) {
                g.writeFieldName("warnings");
                Json.MAPPER.writeValue(g, reply.warnings());
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8).build(),
                com.linecorp.armeria.common.HttpData.wrap(out.toByteArray()));
    }

    /** The HTTP status an exception answers with. */
    static int statusOf(Throwable t) {
        return statusAndMessage(t).status();
    }

    private record Outcome(int status, String message, boolean retry) {}

    static HttpResponse error(Throwable t, long start) {
        Outcome o = statusAndMessage(t);
        if (o.status() == 500) {
            LOG.error("request failed", t);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("status").put("error", o.message());
        root.put("time", seconds(start));
        return write(HttpStatus.valueOf(o.status()), root, o.retry());
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof com.linecorp.armeria.server.HttpStatusException h && h.getCause() instanceof ContentTooLargeException c) {
            return c;
        }
        return t;
    }

    private static Outcome statusAndMessage(Throwable thrown) {
        Throwable t = unwrap(thrown);
        String message = t.getMessage();
        return switch (t) {
            case ApiException a -> new Outcome(a.status(), message, a.status() == 429);
            case ContentTooLargeException c -> new Outcome(413, "request body is larger than the limit of " + c.maxContentLength()
                    + " bytes", false);
            case com.linecorp.armeria.server.HttpStatusException h when h.httpStatus().code() < 500 ->
                    new Outcome(h.httpStatus().code(), h.httpStatus().reasonPhrase(), false);
            case NotFoundException n -> new Outcome(404, message, false);
            case io.vectorflow.engine.QuotaExceededException q -> new Outcome(403, message, false);
            case AlreadyExistsException a -> new Outcome(409, message, false);
            case IllegalArgumentException i -> new Outcome(400, message, false);
            case Admission.Busy b -> new Outcome(503, message, true);
            case com.linecorp.armeria.common.ShuttingDownException e -> new Outcome(503, "the server is shutting down;"
                    + " retry on another server or once it is back", true);
            case OverloadedException o -> new Outcome(503, message, true);
            case DiskFullException d -> new Outcome(507, message, false);
            case BudgetExceededException b when b.timedOut() -> new Outcome(408, "the request did not finish within its"
                    + " timeout and was stopped; give a larger ?timeout= (seconds) or ask for less", false);
            case BudgetExceededException b -> new Outcome(503, "the request was cancelled: " + message, true);
            case OutOfMemoryError e -> new Outcome(503, "the server ran out of memory for this request; nothing of it was"
                    + " kept, retry shortly or with a smaller request", true);
            case StorageException s -> new Outcome(503, message, true); // the data directory cannot serve it now
            case IllegalStateException s when message != null && message.toLowerCase().contains("closed") -> new Outcome(503,
                    "the collection was closed while this request ran (dropped, restored, reconfigured or shutting down); retry",
                    true);
            default -> new Outcome(500, "internal error: " + t, false);
        };
    }

    static HttpResponse write(HttpStatus status, ObjectNode root, boolean retry) {
        try {
            byte[] bytes = Json.MAPPER.writeValueAsBytes(root);
            ResponseHeadersBuilder headers = ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
            if (retry) {
                headers.add(HttpHeaderNames.RETRY_AFTER, Integer.toString(Admission.RETRY_AFTER_SECONDS));
            }
            return HttpResponse.of(headers.build(), com.linecorp.armeria.common.HttpData.wrap(bytes));
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
