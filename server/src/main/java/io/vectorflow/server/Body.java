package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A JSON object from a request, read field by field with errors that name the field by its path
 * ({@code hnsw_config.m}). Unknown fields are refused ({@link #check}) unless they are Qdrant
 * fields that do not apply to VectorFlow, which are collected as warnings.
 */
final class Body {

    private final JsonNode node;
    private final String path;

    private Body(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}; a missing or null value reads as an empty object. */
    static Body of(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new Body(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), path);
        }
        if (!node.isObject()) {
            throw ApiException.unprocessable((path.isEmpty() ? "request body" : path) + " must be a JSON object");
        }
        return new Body(node, path);
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /**
     * Refuses fields that are neither {@code known} nor {@code ignored}, unless their value is
     * JSON null (read as absent); each ignored one present adds a warning ("field does not apply") to {@code warnings} (which may be null when there
     * are none to accept).
     */
    Body check(Set<String> known, Set<String> ignored, List<String> warnings) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (known.contains(f) || node.get(f).isNull()) {
                continue; // an explicit null is "not given" (clients serialise unset optional fields so)
            }
            if (ignored.contains(f)) {
                if (warnings != null) {
                    warnings.add(path(f) + " is accepted for compatibility with Qdrant and has no effect in VectorFlow");
                }
                continue;
            }
            throw ApiException.badRequest(path(f) + " is not a known field");
        }
        return this;
    }

    Body check(Set<String> known) {
        return check(known, Set.of(), null);
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    JsonNode get(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    Body object(String field) {
        return Body.of(node.get(field), path(field));
    }

    ObjectNode node() {
        return (ObjectNode) node;
    }

    /** An integer field in {@code [min, max]}, or {@code fallback} when absent. */
    long integer(String field, long fallback, long min, long max) {
        JsonNode v = get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw ApiException.unprocessable(path(field) + " must be an integer, got " + brief(v));
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.badRequest(path(field) + " must be between " + min + " and " + max + ", got " + brief(v));
        }
        return v.longValue();
    }

    int integer(String field, int fallback, int min, int max) {
        return (int) integer(field, (long) fallback, min, max);
    }

    double number(String field, double fallback) {
        JsonNode v = get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw ApiException.unprocessable(path(field) + " must be a finite number, got " + brief(v));
        }
        return v.doubleValue();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.unprocessable(path(field) + " must be true or false, got " + brief(v));
        }
        return v.booleanValue();
    }

    String string(String field, String fallback) {
        JsonNode v = get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw ApiException.unprocessable(path(field) + " must be a string, got " + brief(v));
        }
        return v.textValue();
    }

    static String brief(JsonNode v) {
        String s = v.toString();
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
