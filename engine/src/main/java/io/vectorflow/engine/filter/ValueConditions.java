package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conditions on payload values beyond equality and numeric ranges, with Qdrant's semantics:
 * {@code is_null}, {@code values_count}, {@code nested}, datetime ranges and full-text
 * {@code match.text} / {@code match.phrase}.
 */
public final class ValueConditions {

    private ValueConditions() {}

    /** {@code {"is_null": {"key": k}}}: the key is present and holds null (or an array holding null). */
    public record IsNull(String key) implements Condition {
        public IsNull {
            KeyPath.parse(key, "is_null.key");
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            return hasNull(payload, KeyPath.parts(key, "is_null.key"), 0);
        }

        private static boolean hasNull(JsonNode node, String[] path, int depth) {
            if (node == null || node.isMissingNode()) {
                return false;
            }
            if (depth == path.length) {
                if (node.isNull()) {
                    return true;
                }
                if (node.isArray()) {
                    for (JsonNode e : node) {
                        if (e.isNull()) {
                            return true;
                        }
                    }
                }
                return false;
            }
            if (node.isArray()) {
                for (JsonNode e : node) {
                    if (hasNull(e, path, depth)) {
                        return true;
                    }
                }
                return false;
            }
            return node.isObject() && hasNull(node.get(path[depth]), path, depth + 1);
        }
    }

    /**
     * {@code {"key": k, "values_count": {"gt", "gte", "lt", "lte"}}}: how many values the key holds
     * (an array counts its elements, a single value counts one) is in range.
     */
    public record ValuesCount(String key, Long gt, Long gte, Long lt, Long lte) implements Condition {
        public ValuesCount {
            KeyPath.parse(key, "values_count.key");
            if (gt == null && gte == null && lt == null && lte == null) {
                throw new IllegalArgumentException("values_count for '" + key + "' needs at least one of gt, gte, lt, lte");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            List<JsonNode> values = new ArrayList<>(4);
            Condition.values(payload, KeyPath.parts(key, "values_count.key"), 0, values);
            long n = values.size();
            return (gt == null || n > gt) && (gte == null || n >= gte) && (lt == null || n < lt) && (lte == null || n <= lte);
        }
    }

    /**
     * {@code {"nested": {"key": k, "filter": f}}}: some element of the array at {@code key} matches
     * {@code filter} on its own (keys in the filter are relative to the element), so conditions
     * that must hold together hold on the same element.
     */
    public record Nested(String key, Filter filter) implements Condition {
        public Nested {
            KeyPath.parse(key, "nested.key");
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            List<JsonNode> elements = new ArrayList<>(4);
            Condition.values(payload, KeyPath.parts(key, "nested.key"), 0, elements);
            for (JsonNode e : elements) {
                if (filter.test(id, e)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * {@code {"key": k, "range": {"gt": "2024-01-01T00:00:00Z", …}}}: some datetime at the key is in
     * range. Bounds and values are RFC 3339 strings (a missing offset means UTC, a date alone
     * midnight UTC), compared as epoch seconds; null bounds are open.
     */
    public record DatetimeRange(String key, Double gt, Double gte, Double lt, Double lte) implements Condition {
        public DatetimeRange {
            KeyPath.parse(key, "range.key");
            if (gt == null && gte == null && lt == null && lte == null) {
                throw new IllegalArgumentException("range for '" + key + "' needs at least one of gt, gte, lt, lte");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            List<JsonNode> values = new ArrayList<>(2);
            Condition.values(payload, KeyPath.parts(key, "range.key"), 0, values);
            for (JsonNode v : values) {
                Double d = v.isTextual() ? epochSeconds(v.textValue()) : null;
                if (d != null && (gt == null || d > gt) && (gte == null || d >= gte) && (lt == null || d < lt)
                        && (lte == null || d <= lte)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * {@code {"min_should": {"conditions": [...], "min_count": n}}}: at least {@code minCount} of
     * the conditions hold.
     */
    public record MinShould(List<Condition> conditions, int minCount) implements Condition {
        public MinShould {
            conditions = List.copyOf(conditions);
            if (minCount < 0) {
                throw new IllegalArgumentException("min_should.min_count must not be negative, got " + minCount);
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            int held = 0;
            for (Condition c : conditions) {
                if (held >= minCount) {
                    return true;
                }
                if (c.test(id, payload)) {
                    held++;
                }
            }
            return held >= minCount;
        }
    }

    /** An RFC 3339 / ISO 8601 datetime as epoch seconds, or null when the string is not one. */
    public static Double epochSeconds(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli() / 1000.0;
            } catch (DateTimeParseException e2) {
                try {
                    return (double) LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
                } catch (DateTimeParseException e3) {
                    return null;
                }
            }
        }
    }

    /**
     * {@code {"key": k, "match": {"text": t}}} (every word of {@code t} is a word of the value) or
     * {@code {"match": {"phrase": t}}} (the words appear in the value consecutively, in order).
     * Words are runs of letters and digits, compared in lower case: the tokenizer of the
     * {@code text} payload index, so an index and a scan agree.
     */
    public record MatchText(String key, String text, boolean phrase, List<String> words) implements Condition {
        public MatchText {
            KeyPath.parse(key, "match.key");
            words = List.copyOf(words);
            if (words.isEmpty()) {
                throw new IllegalArgumentException("match." + (phrase ? "phrase" : "text") + " for '" + key + "' holds no words");
            }
        }

        /** The condition on the words of {@code text} (split once, not per point tested). */
        public MatchText(String key, String text, boolean phrase) {
            this(key, text, phrase, tokens(text));
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            List<String> want = words;
            List<JsonNode> values = new ArrayList<>(2);
            Condition.values(payload, KeyPath.parts(key, "match.key"), 0, values);
            for (JsonNode v : values) {
                if (v.isTextual() && (phrase ? containsPhrase(tokens(v.textValue()), want)
                        : new java.util.HashSet<>(tokens(v.textValue())).containsAll(want))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean containsPhrase(List<String> have, List<String> want) {
            outer:
            for (int i = 0; i + want.size() <= have.size(); i++) {
                for (int j = 0; j < want.size(); j++) {
                    if (!have.get(i + j).equals(want.get(j))) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /** The words of a text: runs of letters and digits, lower-cased. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean word = i < text.length() && Character.isLetterOrDigit(text.charAt(i));
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                out.add(text.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
        }
        return out;
    }
}
