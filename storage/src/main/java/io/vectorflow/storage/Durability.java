package io.vectorflow.storage;

/** When a write is acknowledged. */
public enum Durability {
    /** After the write-ahead log was forced to disk (group commit): nothing acknowledged is lost. */
    FSYNC,
    /**
     * As soon as the write is in the log file; the log is forced on an interval, so a power cut (not
     * a process crash) may lose up to that interval of acknowledged writes.
     */
    ASYNC;

    /** Parses "fsync" or "async", ignoring case. */
    public static Durability parse(String text) {
        for (Durability d : values()) {
            if (d.name().equalsIgnoreCase(text)) {
                return d;
            }
        }
        throw new IllegalArgumentException("durability must be 'fsync' or 'async', got '" + text + "'");
    }
}
