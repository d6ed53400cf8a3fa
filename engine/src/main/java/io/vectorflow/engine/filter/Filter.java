package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.util.List;

/**
 * A payload filter in Qdrant's shape: a point matches when it satisfies every {@code must}
 * condition, at least one {@code should} condition (if there are any), and none of the
 * {@code mustNot} conditions. Conditions nest: a {@link Filter} is itself a {@link Condition}.
 *
 * <p>Evaluation follows Qdrant's rules for payload values: a key path {@code a.b} descends into
 * objects, an array in the payload matches when any of its elements does, and a missing key
 * matches no {@code match} or {@code range} condition.
 */
public record Filter(List<Condition> must, List<Condition> should, List<Condition> mustNot) implements Condition {

    public Filter {
        must = must == null ? List.of() : List.copyOf(must);
        should = should == null ? List.of() : List.copyOf(should);
        mustNot = mustNot == null ? List.of() : List.copyOf(mustNot);
    }

    /** A filter with only {@code must} conditions. */
    public static Filter must(Condition... conditions) {
        return new Filter(List.of(conditions), null, null);
    }

    public static Filter should(Condition... conditions) {
        return new Filter(null, List.of(conditions), null);
    }

    public static Filter mustNot(Condition... conditions) {
        return new Filter(null, null, List.of(conditions));
    }

    @Override
    public boolean test(PointId id, JsonNode payload) {
        for (Condition c : must) {
            if (!c.test(id, payload)) {
                return false;
            }
        }
        for (Condition c : mustNot) {
            if (c.test(id, payload)) {
                return false;
            }
        }
        if (should.isEmpty()) {
            return true;
        }
        for (Condition c : should) {
            if (c.test(id, payload)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the filter reads payloads at all (a filter of only {@code has_id} does not). */
    public boolean needsPayload() {
        return Condition.needsPayload(must) || Condition.needsPayload(should) || Condition.needsPayload(mustNot);
    }
}
