package io.vectorflow.client;

import io.grpc.Status;

/**
 * A call the server refused or could not answer. The message is the server's own (it names the
 * field at fault for {@link Status.Code#INVALID_ARGUMENT}); {@link #code()} says what kind of
 * failure it was.
 */
public final class VectorFlowException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status.Code code;

    /** A failure with the server's status code and message. */
    public VectorFlowException(Status.Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    /**
     * The gRPC status: {@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code ALREADY_EXISTS},
     * {@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, {@code RESOURCE_EXHAUSTED} (size limits,
     * quotas, a full disk), {@code UNAVAILABLE} (overload; retried for calls that may be
     * repeated), {@code DEADLINE_EXCEEDED}, {@code INTERNAL}.
     */
    public Status.Code code() {
        return code;
    }
}
