package io.vectorflow.engine.filter;

import io.vectorflow.engine.Json;

/**
 * A payload key path ({@code city}, {@code address.city}, {@code items[].name}): the one check every key a request
 * names passes, whether in a filter, a payload index, or a payload update. Parts are separated by
 * dots; a part may end in {@code []} (the elements of an array, which every path looks into
 * anyway); none may be empty, and a path has at most {@link Json#MAX_PAYLOAD_DEPTH} parts and
 * {@value #MAX_LENGTH} characters, so no key can name a place deeper than a payload may nest.
 */
public final class KeyPath {

    /** Longest key path, in characters. */
    public static final int MAX_LENGTH = 256;
    private static final int CACHED = 4096;
    private static final java.util.Map<String, String[]> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    private KeyPath() {}

    /**
     * The parts of {@code key}.
     *
     * @param field names the key in the error, e.g. {@code filter.must[0].key}
     * @throws IllegalArgumentException naming the field and the rule broken
     */
    public static String[] parse(String key, String field) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(field + " must be a non-empty key");
        }
        if (key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = key.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            // "items[]" names the elements of the array "items": arrays are always looked into, so it is "items"
            while (parts[i].endsWith("[]")) {
                parts[i] = parts[i].substring(0, parts[i].length() - 2);
            }
            if (parts[i].isEmpty()) {
                throw new IllegalArgumentException(field + " '" + key + "' has an empty part (a leading, trailing or doubled '.',"
                        + " or a bare '[]')");
            }
        }
        if (parts.length > Json.MAX_PAYLOAD_DEPTH) {
            throw new IllegalArgumentException(field + " has " + parts.length + " parts; at most " + Json.MAX_PAYLOAD_DEPTH
                    + ", as deep as a payload may nest");
        }
        return parts;
    }

    /**
     * {@link #parse} for a key already checked, remembered: filters test the same few keys on
     * every point they look at. Do not change the array.
     */
    public static String[] parts(String key, String field) {
        String[] parts = PARSED.get(key);
        if (parts == null) {
            parts = parse(key, field);
            if (PARSED.size() >= CACHED) {
                PARSED.clear();
            }
            PARSED.put(key, parts);
        }
        return parts;
    }
}
