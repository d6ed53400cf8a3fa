package io.vectorflow.engine;

/** A write or a new collection that would pass one of its tenant's {@link TenantQuotas}; the message names the limit. */
public final class QuotaExceededException extends RuntimeException {

    private final String limit;

    public QuotaExceededException(String limit, String message) {
        super(message);
        this.limit = limit;
    }

    /** The limit passed: {@code max_collections}, {@code max_points} or {@code max_disk_bytes}. */
    public String limit() {
        return limit;
    }
}
