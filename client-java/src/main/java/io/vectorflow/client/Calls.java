package io.vectorflow.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Runs one call: retried with jittered exponential backoff after {@code UNAVAILABLE} (the server
 * was overloaded, restarting, or the connection dropped) when the call may be repeated, and
 * turned into a {@link VectorFlowException} when it fails for good.
 */
final class Calls {

    private final int retries;
    private final Duration backoff;

    Calls(int retries, Duration backoff) {
        this.retries = retries;
        this.backoff = backoff;
    }

    /** Runs {@code call}, again up to {@code retries} times if {@code idempotent}. */
    <T> T run(boolean idempotent, Supplier<T> call) {
        int attempts = 1 + (idempotent ? retries : 0);
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt + 1 >= attempts) {
                    throw failure(e);
                }
                pause(attempt, e);
            }
        }
    }

    private void pause(int attempt, StatusRuntimeException cause) {
        long base = backoff.toMillis() << Math.min(attempt, 16);
        long millis = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(cause);
        }
    }

    static VectorFlowException failure(StatusRuntimeException e) {
        String message = e.getStatus().getDescription();
        if (message == null && e.getStatus().getCause() != null) {
            message = e.getStatus().getCause().toString();
        }
        return new VectorFlowException(e.getStatus().getCode(), message == null ? "(no message)" : message, e);
    }
}
