package io.vectorflow.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.ValueConditions;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.segment.Segment;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.roaringbitmap.RoaringBitmap;

/**
 * The payload indexes of one segment, one {@link FieldIndex} per indexed field. Built on first
 * use by decoding each stored payload once; for the mutable segment it catches up with the
 * points appended since, on every use. Thread-safe: one lock per segment.
 */
final class SegmentIndex {

    // No reference to the segment itself: PayloadIndexes keys these weakly by segment.
    private final Map<String, FieldIndex> fields = new HashMap<>();
    private int indexedUpTo;
    /**
     * Answers to recent filters, valid while no point is added: filters repeat (a tenant, a
     * category), and a range over many points costs far more to collect than to look up.
     */
    private final Map<Condition, Candidates> recent = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Condition, Candidates> e) {
            return size() > 64;
        }
    };

    /** Heap bytes of this segment's field indexes (estimated, see {@link FieldIndex#bytes}). */
    synchronized long bytes() {
        long b = 0;
        for (FieldIndex f : fields.values()) {
            b += f.bytes();
        }
        return b;
    }

    /**
     * Brings the indexes in line with {@code schema} (adding fields new to it, dropping removed
     * ones) and with the segment's points; decodes each payload at most once per call.
     */
    synchronized void sync(Segment segment, Map<String, FieldType> schema, Function<byte[], ObjectNode> decode) {
        if (!fields.keySet().equals(schema.keySet()) || segment.size() != indexedUpTo) {
            recent.clear();
        }
        fields.keySet().retainAll(schema.keySet());
        Map<String, FieldIndex> fresh = new HashMap<>();
        schema.forEach((key, type) -> {
            FieldIndex f = fields.get(key);
            if (f == null || f.type() != type) {
                fresh.put(key, new FieldIndex(type, key));
            }
        });
        int n = segment.size();
        if (!fresh.isEmpty()) {
            recent.clear();
            for (int o = 0; o < indexedUpTo; o++) {
                JsonNode payload = decode.apply(segment.payload(o));
                for (FieldIndex f : fresh.values()) {
                    f.add(o, payload);
                }
            }
            fields.putAll(fresh);
        }
        for (int o = indexedUpTo; o < n; o++) {
            JsonNode payload = decode.apply(segment.payload(o));
            for (FieldIndex f : fields.values()) {
                f.add(o, payload);
            }
        }
        indexedUpTo = Math.max(indexedUpTo, n);
    }

    /** Ordinals covered by {@link #candidates}; later appends are not in any answer. */
    synchronized int indexedUpTo() {
        return indexedUpTo;
    }

    /** Points with a value in the field, or -1 when the field is not indexed here. */
    synchronized long points(String key) {
        FieldIndex f = fields.get(key);
        return f == null ? -1 : f.pointsIndexed();
    }

    /**
     * A superset of the ordinals (below {@link #indexedUpTo}) the condition can match, from the
     * indexes alone: {@code exact} says whether it is the set itself. Null bitmap: no index helps,
     * any ordinal may match.
     */
    synchronized Candidates candidates(Condition c) {
        Candidates hit = recent.get(c);
        if (hit == null) {
            hit = eval(c);
            recent.put(c, hit);
        }
        return hit;
    }

    /** An ordinal set from the indexes; {@code bits == null} means "all ordinals, unknown". */
    record Candidates(RoaringBitmap bits, boolean exact) {
        static final Candidates ALL = new Candidates(null, false);
    }

    private Candidates eval(Condition c) {
        return switch (c) {
            case Condition.Match m -> leaf(m.key(), f -> f.match(m.value()));
            case Condition.MatchAny m -> leaf(m.key(), f -> f.matchAny(m.lookup()));
            case Condition.Range r -> leaf(r.key(), f -> f.range(r));
            case Condition.IsEmpty e -> leaf(e.key(), f -> {
                RoaringBitmap all = new RoaringBitmap();
                all.add(0L, (long) indexedUpTo);
                all.andNot(f.present());
                return all;
            });
            case Condition.HasId h -> Candidates.ALL; // the id lookup is cheaper done by the caller
            case ValueConditions.DatetimeRange r -> leaf(r.key(), f -> f.datetime(r));
            case ValueConditions.MatchText t -> leaf(t.key(), f -> f.text(t));
            case Filter f -> filter(f);
            default -> Candidates.ALL; // tested on each point
        };
    }

    private Candidates leaf(String key, Function<FieldIndex, RoaringBitmap> lookup) {
        FieldIndex f = fields.get(key);
        RoaringBitmap b = f == null ? null : lookup.apply(f);
        return b == null ? Candidates.ALL : new Candidates(b, true);
    }

    private Candidates filter(Filter f) {
        RoaringBitmap acc = null;
        boolean exact = true;
        for (Condition c : f.must()) {
            Candidates x = eval(c);
            exact &= x.exact();
            if (x.bits() != null) {
                if (acc == null) {
                    acc = x.bits().clone();
                } else {
                    acc.and(x.bits());
                }
            }
        }
        if (!f.should().isEmpty()) {
            RoaringBitmap union = new RoaringBitmap();
            boolean known = true;
            for (Condition c : f.should()) {
                Candidates x = eval(c);
                exact &= x.exact();
                if (x.bits() == null) {
                    known = false;
                    break;
                }
                union.or(x.bits());
            }
            if (known) {
                if (acc == null) {
                    acc = union;
                } else {
                    acc.and(union);
                }
            }
        }
        for (Condition c : f.mustNot()) {
            Candidates x = eval(c);
            if (x.exact() && x.bits() != null) {
                if (acc == null) {
                    acc = new RoaringBitmap();
                    acc.add(0L, (long) indexedUpTo);
                }
                acc.andNot(x.bits());
            } else {
                exact = false;
            }
        }
        if (acc == null) {
            if (f.must().isEmpty() && f.should().isEmpty() && f.mustNot().isEmpty()) {
                RoaringBitmap all = new RoaringBitmap();
                all.add(0L, (long) indexedUpTo);
                return new Candidates(all, true);
            }
            return Candidates.ALL;
        }
        return new Candidates(acc, exact);
    }
}
