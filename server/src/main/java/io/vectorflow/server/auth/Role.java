package io.vectorflow.server.auth;

import java.util.Locale;

/** What a key may do; {@link #allows} is the whole rule. */
public enum Role {
    /** Everything, in every tenant: keys, metrics, all collections. */
    ADMIN,
    /** Read, write and manage the collections of its tenant. */
    READ_WRITE,
    /** Read the collections of its tenant. */
    READ_ONLY,
    /** Scrape {@code /metrics}, nothing else. */
    METRICS;

    /** Whether a key of this role may do {@code access} (before any limit to named collections). */
    public boolean allows(Access access) {
        return switch (access) {
            case PUBLIC, KEYED -> true;
            case READ -> this == ADMIN || this == READ_WRITE || this == READ_ONLY;
            case WRITE, MANAGE -> this == ADMIN || this == READ_WRITE;
            case METRICS -> this == ADMIN || this == METRICS;
            case ADMIN -> this == ADMIN;
        };
    }

    /** The name users write: {@code admin}, {@code read-write}, {@code read-only}, {@code metrics}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #label()} (underscores accepted for dashes). */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.label().equals(s.toLowerCase(Locale.ROOT).replace('_', '-'))) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be one of admin, read-write, read-only, metrics; got '" + s + "'");
    }
}
