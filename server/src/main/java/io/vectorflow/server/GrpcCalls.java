package io.vectorflow.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.vectorflow.core.search.Budget;
import io.vectorflow.core.search.OffLoopException;
import io.vectorflow.engine.AlreadyExistsException;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.NotFoundException;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.storage.OverloadedException;
import io.vectorflow.storage.StorageException;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * How every gRPC call is run, whichever API it belongs to ({@code vectorflow.v1} or Qdrant's):
 * through the same admission control as REST (its lane, working memory for its message), inside
 * the same kind of budget (the call's deadline, {@code grpc-timeout}, or the server's request
 * timeout, or a request's own {@code timeout} field when shorter; cancelled with the call), with failures mapped to gRPC status codes: NOT_FOUND,
 * ALREADY_EXISTS, INVALID_ARGUMENT naming the field, RESOURCE_EXHAUSTED for sizes and a full
 * disk, UNAVAILABLE for overload, DEADLINE_EXCEEDED.
 *
 * <p>A search's {@code performance} object (the same as REST's) goes back as the response
 * trailer {@value #PERFORMANCE_TRAILER}, JSON.
 */
final class GrpcCalls {

    /** The trailer that carries a search's performance object. */
    static final String PERFORMANCE_TRAILER = "vectorflow-performance";

    private final Admission admission;
    private final Rest rest;

    GrpcCalls(Admission admission, Rest rest) {
        this.admission = admission;
        this.rest = rest;
    }

    /** A call that reads, answered from the read lane. */
    <T> void read(com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        answer(Admission.Lane.READ, request, out, call);
    }

    /**
     * A search: tried first on the network thread the call arrived on, moved to the read lane
     * when the engine finds it costlier than the inline allowance (as REST's {@link Rest#search}).
     */
    <T> void search(com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        if (request.getSerializedSize() > Rest.INLINE_BODY_BYTES || !admission.taking()) {
            answer(Admission.Lane.READ, request, out, call);
            return;
        }
        Started started = start(request, null, out);
        if (started == null) {
            return;
        }
        Budget budget = started.budget();
        Admission.Reservation memory = started.memory();
        T value;
        budget.allowInline(Rest.INLINE_UNITS);
        try (var scope = budget.enter()) {
            value = call.get();
        } catch (OffLoopException tooCostly) {
            memory.close();
            budget.endInline();
            answer(Admission.Lane.READ, request, out, call, budget);
            return;
        } catch (Throwable e) { // an OutOfMemoryError too: the call is answered and its memory released
            memory.close();
            out.onError(status(e));
            return;
        }
        memory.close();
        out.onNext(value);
        out.onCompleted();
    }

    /** A call that writes, answered from the write lane. */
    <T> void write(com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        answer(Admission.Lane.WRITE, request, out, call);
    }

    /** Runs one call on its lane within its budget, answering its result or the status its failure maps to. */
    private <T> void answer(Admission.Lane lane, com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call) {
        answer(lane, request, out, call, null);
    }

    /** As above, under {@code given} (null: a new budget for the call). */
    private <T> void answer(Admission.Lane lane, com.google.protobuf.MessageLite request, StreamObserver<T> out, Supplier<T> call,
                            Budget given) {
        Started started = start(request, given, out);
        if (started == null) {
            return;
        }
        Budget budget = started.budget();
        Admission.Reservation memory = started.memory();
        ServiceRequestContext ctx = ServiceRequestContext.current();
        io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
        try {
            admission.run(lane, trace.wrap(() -> {
                try (var scope = budget.enter(); var pushed = ctx.push()) {
                    budget.check(); // the caller may have gone while the call waited
                    return call.get();
                }
            })).whenComplete((value, failure) -> {
                memory.close();
                if (failure != null) {
                    out.onError(status(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause() : failure));
                } else {
                    out.onNext(value);
                    out.onCompleted();
                }
            });
        } catch (RuntimeException e) {
            memory.close();
            out.onError(status(e));
        }
    }

    /** A call's budget and the working memory reserved for its message. */
    private record Started(Budget budget, Admission.Reservation memory) {}

    /**
     * Gives the call its budget ({@code given}, or a new one from its deadline) and reserves memory
     * for its message; on failure answers the call with the failure's status and returns null.
     */
    private Started start(com.google.protobuf.MessageLite request, Budget given, StreamObserver<?> out) {
        try {
            ServiceRequestContext ctx = ServiceRequestContext.current();
            Budget budget = given != null ? given : rest.budget(ctx, timeoutMillis(ctx, request));
            return new Started(budget, admission.reserve(request.getSerializedSize()));
        } catch (RuntimeException e) {
            out.onError(status(e));
            return null;
        }
    }

    /**
     * The call's time limit: its deadline ({@code grpc-timeout}, or the server's request
     * timeout), shortened by the request's own {@code timeout} field in seconds where the
     * message has one (Qdrant's requests do).
     */
    private static long timeoutMillis(ServiceRequestContext ctx, com.google.protobuf.MessageLite request) {
        long millis = ctx.requestTimeoutMillis();
        if (request instanceof com.google.protobuf.Message m) {
            var field = m.getDescriptorForType().findFieldByName("timeout");
            if (field != null && field.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.LONG
                    && field.hasPresence() && m.hasField(field)) {
                long seconds = (Long) m.getField(field);
                if (seconds > 0) {
                    long asked = Math.multiplyExact(Math.min(seconds, 86_400L), 1000L);
                    millis = millis > 0 ? Math.min(millis, asked) : asked;
                }
            }
        }
        return millis;
    }

    /** Sends the performance of these searches back with the current call, as a trailer. */
    static void performance(List<SearchResult> results) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        if (ctx == null || results.isEmpty()) {
            return;
        }
        Object perf = results.size() == 1 ? Performance.of(results.getFirst()) : Performance.ofBatch(results);
        try {
            String json = Json.MAPPER.writeValueAsString(perf);
            ctx.mutateAdditionalResponseTrailers(t -> t.set(PERFORMANCE_TRAILER, json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static StatusRuntimeException status(Throwable e) {
        Status s = switch (e) {
            case ApiException a when a.status() == 413 -> Status.RESOURCE_EXHAUSTED;
            case ApiException a when a.status() == 404 -> Status.NOT_FOUND;
            case ApiException a when a.status() == 409 -> Status.ALREADY_EXISTS;
            case ApiException a -> Status.INVALID_ARGUMENT;
            case NotFoundException n -> Status.NOT_FOUND;
            case io.vectorflow.engine.QuotaExceededException q -> Status.RESOURCE_EXHAUSTED;
            case AlreadyExistsException a -> Status.ALREADY_EXISTS;
            case IllegalArgumentException i -> Status.INVALID_ARGUMENT;
            case Admission.Busy b -> Status.UNAVAILABLE;
            case OverloadedException o -> Status.UNAVAILABLE;
            case io.vectorflow.storage.DiskFullException d -> Status.RESOURCE_EXHAUSTED;
            case io.vectorflow.core.search.BudgetExceededException b when b.timedOut() -> Status.DEADLINE_EXCEEDED;
            case io.vectorflow.core.search.BudgetExceededException b -> Status.CANCELLED;
            case OutOfMemoryError o -> Status.UNAVAILABLE;
            case StorageException st -> Status.UNAVAILABLE;
            case IllegalStateException st when st.getMessage() != null && st.getMessage().contains("closed") -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        return s.withDescription(e.getMessage() == null ? e.toString() : e.getMessage()).asRuntimeException();
    }

    /**
     * How failures outside the handlers answer (Armeria's exception handler): a message that is
     * not valid protobuf (truncated, invalid UTF-8 in a string) is the caller's INVALID_ARGUMENT,
     * one over the size limit RESOURCE_EXHAUSTED; everything else keeps the status it has.
     */
    static Status statusOfFailure(com.linecorp.armeria.common.RequestContext ctx, Status status, Throwable cause,
                                  io.grpc.Metadata metadata) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof com.google.protobuf.InvalidProtocolBufferException) {
                return Status.INVALID_ARGUMENT.withDescription("the request is not a valid message: " + t.getMessage());
            }
            if (t instanceof com.linecorp.armeria.common.ContentTooLargeException) {
                return Status.RESOURCE_EXHAUSTED.withDescription(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (status.getCode() == Status.Code.INTERNAL && cause != null && cause.getMessage() != null
                && cause.getMessage().toLowerCase().contains("protobuf")) {
            return Status.INVALID_ARGUMENT.withDescription("the request is not a valid message: " + cause.getMessage());
        }
        return status;
    }
}
