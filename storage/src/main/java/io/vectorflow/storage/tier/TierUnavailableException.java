package io.vectorflow.storage.tier;

import io.vectorflow.storage.StorageException;

/**
 * The object store holding a cold segment's vectors could not be read (unreachable, timed out,
 * the object gone). Searches leave such a segment out and say so ({@code degraded}); reads that
 * need its vectors answer 503, to be retried.
 */
public final class TierUnavailableException extends StorageException {

    public TierUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
