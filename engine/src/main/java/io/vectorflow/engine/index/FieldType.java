package io.vectorflow.engine.index;

import java.util.Locale;

/** The value type a payload index is built for (Qdrant's {@code field_schema}). */
public enum FieldType {
    /** Strings, answering {@code match} by value. */
    KEYWORD,
    /** Whole numbers, answering {@code match} and {@code range}. */
    INTEGER,
    /** Numbers, answering {@code range} (and {@code match} on a number). */
    FLOAT,
    /** Booleans, answering {@code match}. */
    BOOL,
    /** UUID strings, answering {@code match} by value (as {@code keyword}). */
    UUID,
    /** RFC 3339 datetime strings, answering {@code range} with datetime bounds. */
    DATETIME,
    /** Text, answering {@code match.text} by its words (runs of letters and digits, lower-cased). */
    TEXT,
    /** Geo points {@code {lon, lat}}: accepted and listed; geo conditions are tested on each point. */
    GEO;

    /** The lower-case name used in the API and in {@code payload_indexes.json}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses an API name.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static FieldType parse(String name) {
        if (name != null) {
            for (FieldType t : values()) {
                if (t.apiName().equals(name.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("field_schema must be one of keyword, integer, float, bool, uuid, datetime, text, geo; got " + name);
    }
}
