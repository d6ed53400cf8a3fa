package io.vectorflow.engine.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.filter.KeyPath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's facet counts ({@code POST /collections/{name}/facet}): how many matching points hold
 * each value (string, whole number or boolean) at a payload key, most frequent first (ties by
 * value). A point counts once per distinct value it holds. Counts are always exact: every
 * matching point is read, within the request's budget.
 */
public final class Facets {

    /** A value and how many points hold it. */
    public record Hit(Object value, long count) {}

    /** Most values one request may ask for. */
    public static final int MAX_LIMIT = 10_000;

    private Facets() {}

    public static List<Hit> count(Collection collection, String key, Filter filter, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        String[] path = KeyPath.parts(key, "key");
        Map<Object, Long> counts = new HashMap<>();
        collection.forEachMatching(filter, true, (id, payload) -> {
            List<JsonNode> values = new ArrayList<>(2);
            Condition.values(payload, path, 0, values);
            Set<Object> seen = new HashSet<>(values.size() * 2);
            for (JsonNode v : values) {
                Object value = v.isTextual() ? v.textValue() : v.isBoolean() ? (Object) v.booleanValue()
                        : v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.longValue() : null;
                if (value != null && seen.add(value)) {
                    counts.merge(value, 1L, Long::sum);
                }
            }
        });
        List<Hit> hits = new ArrayList<>(counts.size());
        counts.forEach((v, n) -> hits.add(new Hit(v, n)));
        hits.sort(Comparator.comparingLong(Hit::count).reversed().thenComparing(h -> String.valueOf(h.value())));
        return hits.size() <= limit ? hits : List.copyOf(hits.subList(0, limit));
    }
}
