package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Qdrant's {@code with_payload}: {@code true}/{@code false}, a list of keys to include, or
 * {@code {"include": [...]}} / {@code {"exclude": [...]}} (top-level keys).
 */
record PayloadSelector(boolean any, Set<String> include, Set<String> exclude) {

    static final PayloadSelector ALL = new PayloadSelector(true, null, null);
    static final PayloadSelector NONE = new PayloadSelector(false, null, null);

    static PayloadSelector parse(JsonNode v, String path, boolean fallback) {
        if (v == null || v.isNull()) {
            return fallback ? ALL : NONE;
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? ALL : NONE;
        }
        if (v.isArray()) {
            return new PayloadSelector(true, keys(v, path), null);
        }
        if (v.isObject() && v.size() == 1 && v.has("include")) {
            return new PayloadSelector(true, keys(v.get("include"), path + ".include"), null);
        }
        if (v.isObject() && v.size() == 1 && v.has("exclude")) {
            return new PayloadSelector(true, null, keys(v.get("exclude"), path + ".exclude"));
        }
        throw ApiException.unprocessable(path + " must be true, false, a list of keys, {\"include\": [...]} or {\"exclude\": [...]}");
    }

    private static Set<String> keys(JsonNode v, String path) {
        if (v == null || !v.isArray()) {
            throw ApiException.unprocessable(path + " must be an array of payload keys");
        }
        Set<String> out = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw ApiException.unprocessable(path + "[" + i + "] must be a string");
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    /** The payload as this selector shows it. */
    JsonNode apply(ObjectNode payload) {
        if (include != null) {
            payload.retain(include);
        } else if (exclude != null) {
            payload.remove(exclude);
        }
        return payload;
    }
}
