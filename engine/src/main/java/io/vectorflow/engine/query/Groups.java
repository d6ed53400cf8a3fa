package io.vectorflow.engine.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.KeyPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's grouped queries ({@code query/groups}, {@code search/groups},
 * {@code recommend/groups}): the best points of a query, at most {@code groupSize} per value of
 * the payload key {@code groupBy}, for the best {@code limit} values. A point whose key holds an
 * array joins the group of each (string or integer) value; points without one are left out.
 * The query is run deeper until enough groups are full or no more points come.
 */
public final class Groups {

    /** One group: the key's value and its best points. */
    public record Group(Object id, List<ScoredPoint> hits) {}

    /** The groups and how the searches went. */
    public record Result(List<Group> groups, SearchResult search) {}

    /** Most group values one request may ask for, and most points per group. */
    public static final int MAX_GROUPS = 1_000;
    public static final int MAX_GROUP_SIZE = 1_000;

    private Groups() {}

    /**
     * Runs {@code request} (its limit and offset are ignored) and groups its points.
     *
     * @throws IllegalArgumentException naming the field when a bound is broken
     */
    public static Result run(Collection collection, QueryRequest request, String groupBy, int groupSize, int limit) {
        if (groupSize < 1 || groupSize > MAX_GROUP_SIZE) {
            throw new IllegalArgumentException("group_size must be between 1 and " + MAX_GROUP_SIZE + ", got " + groupSize);
        }
        if (limit < 1 || limit > MAX_GROUPS) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_GROUPS + " groups, got " + limit);
        }
        String[] path = KeyPath.parts(groupBy, "group_by");
        int depth = Math.min(Collection.MAX_LIMIT, Math.max(limit * groupSize * 2, 64));
        while (true) {
            QueryRequest deeper = new QueryRequest(request.prefetch(), request.query(), request.using(), request.filter(),
                    request.ef(), request.exact(), request.scoreThreshold(), depth, 0, true, request.withVector(), request.explain(),
                    request.quantization());
            SearchResult r = QueryEngine.run(collection, deeper);
            Map<Object, List<ScoredPoint>> groups = new LinkedHashMap<>();
            int full = 0;
            for (ScoredPoint p : r.points()) {
                List<JsonNode> values = new ArrayList<>(1);
                Condition.values(p.payload(), path, 0, values);
                for (JsonNode v : values) {
                    Object key = v.isTextual() ? v.textValue() : v.isIntegralNumber() ? (Object) v.longValue() : null;
                    if (key == null || (!groups.containsKey(key) && groups.size() == limit)) {
                        continue;
                    }
                    List<ScoredPoint> hits = groups.computeIfAbsent(key, k -> new ArrayList<>());
                    if (hits.size() < groupSize && !hits.contains(p)) {
                        hits.add(request.withPayload() ? p : new ScoredPoint(p.id(), p.score(), null, p.vector(), p.orderValue(), p.named()));
                        if (hits.size() == groupSize) {
                            full++;
                        }
                    }
                }
            }
            boolean exhausted = r.points().size() < depth || depth == Collection.MAX_LIMIT;
            if (full >= limit || exhausted) {
                List<Group> out = new ArrayList<>(groups.size());
                groups.forEach((k, hits) -> out.add(new Group(k, List.copyOf(hits))));
                return new Result(out, r);
            }
            depth = (int) Math.min(Collection.MAX_LIMIT, 4L * depth);
        }
    }
}
