package io.vectorflow.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.ValueConditions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * The index of one payload field over one segment's ordinals: which ordinals hold which value.
 * Filled in ordinal order by {@link #add}; deleted ordinals stay in it (the caller masks them).
 * Not thread-safe: {@link SegmentIndex} guards it.
 *
 * <ul>
 *   <li>{@code keyword}: value → bitmap of ordinals.
 *   <li>{@code bool}: one bitmap per value.
 *   <li>{@code integer}: value → bitmap, plus the numeric order below for ranges.
 *   <li>{@code float} and {@code integer}: every numeric value with its ordinal, kept as a sorted
 *       prefix plus an unsorted tail that is merged in once it grows past a quarter of the prefix
 *       (so appends stay cheap and a range is two binary searches plus a short scan).
 *   <li>{@code uuid}: as {@code keyword}; {@code datetime}: epoch seconds in the numeric order;
 *       {@code text}: word → bitmap; {@code geo}: only which ordinals hold a value.
 * </ul>
 * Every type also keeps which ordinals hold any value at the key, for {@code is_empty}.
 */
final class FieldIndex {

    private final FieldType type;
    private final String[] path;
    private final Map<Object, RoaringBitmap> byValue = new HashMap<>();
    private final RoaringBitmap present = new RoaringBitmap();
    private double[] numbers = new double[16];
    private int[] numberOrdinals = new int[16];
    private int count;
    private int sorted;

    FieldIndex(FieldType type, String key) {
        this.type = type;
        this.path = io.vectorflow.engine.filter.KeyPath.parse(key, "field_name");
    }

    FieldType type() {
        return type;
    }

    /**
     * Heap bytes of the index, estimated: the bitmaps' own sizes, about 64 bytes per distinct
     * value for its map entry and key, and the sorted numbers.
     */
    long bytes() {
        long b = present.getLongSizeInBytes() + 12L * numbers.length + 64;
        for (RoaringBitmap r : byValue.values()) {
            b += r.getLongSizeInBytes() + 64;
        }
        return b;
    }

    /** Records the values at this field of the payload of {@code ordinal}. */
    void add(int ordinal, JsonNode payload) {
        List<JsonNode> values = new java.util.ArrayList<>(2);
        Condition.values(payload, path, 0, values);
        if (values.isEmpty()) {
            return;
        }
        present.add(ordinal);
        for (JsonNode v : values) {
            if (type == FieldType.TEXT) {
                if (v.isTextual()) {
                    for (String token : ValueConditions.tokens(v.textValue())) {
                        byValue.computeIfAbsent(token, x -> new RoaringBitmap()).add(ordinal);
                    }
                }
                continue;
            }
            Object key = key(v);
            if (key != null) {
                byValue.computeIfAbsent(key, x -> new RoaringBitmap()).add(ordinal);
            }
            Double number = (type == FieldType.INTEGER || type == FieldType.FLOAT) && v.isNumber() ? (Double) v.doubleValue()
                    : type == FieldType.DATETIME && v.isTextual() ? ValueConditions.epochSeconds(v.textValue()) : null;
            if (number != null) {
                if (count == numbers.length) {
                    numbers = Arrays.copyOf(numbers, count * 2);
                    numberOrdinals = Arrays.copyOf(numberOrdinals, count * 2);
                }
                numbers[count] = number;
                numberOrdinals[count++] = ordinal;
            }
        }
    }

    /**
     * Ordinals whose text holds every word of {@code t} (a {@code text} index), or null when this
     * index cannot answer (another type, or a phrase, whose word order the index does not keep).
     */
    RoaringBitmap text(ValueConditions.MatchText t) {
        if (type != FieldType.TEXT || t.phrase()) {
            return null;
        }
        RoaringBitmap acc = null;
        for (String token : t.words()) {
            RoaringBitmap b = byValue.get(token);
            if (b == null) {
                return new RoaringBitmap();
            }
            acc = acc == null ? b.clone() : RoaringBitmap.and(acc, b);
        }
        return acc;
    }

    /** The map key of a payload value for this type, or null when the type does not index it. */
    private Object key(JsonNode v) {
        return switch (type) {
            case KEYWORD, UUID -> v.isTextual() ? v.textValue() : null;
            case BOOL -> v.isBoolean() ? v.booleanValue() : null;
            case INTEGER -> v.isIntegralNumber() && v.canConvertToLong() ? v.longValue()
                    : v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 0x1p53
                    ? (long) v.doubleValue() : null;
            case FLOAT, DATETIME, TEXT, GEO -> null;
        };
    }

    /**
     * Ordinals whose value equals {@code value} (same rules as {@link Condition.Match}), or null
     * when this index cannot answer for a value of that type.
     */
    RoaringBitmap match(Object value) {
        switch (type) {
            case KEYWORD, UUID, BOOL -> {
                if ((type != FieldType.BOOL) != (value instanceof String) || (type == FieldType.BOOL) != (value instanceof Boolean)) {
                    return null;
                }
                RoaringBitmap b = byValue.get(value);
                return b == null ? new RoaringBitmap() : b.clone();
            }
            case INTEGER -> {
                if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    RoaringBitmap b = byValue.get(((Number) value).longValue());
                    return b == null ? new RoaringBitmap() : b.clone();
                }
                return value instanceof Number n ? range(n.doubleValue(), true, n.doubleValue(), true) : null;
            }
            case FLOAT -> {
                return value instanceof Number n ? range(n.doubleValue(), true, n.doubleValue(), true) : null;
            }
            default -> {
                return null; // datetime, text, geo: match is tested on each point
            }
        }
    }

    /**
     * Ordinals whose value is one of {@code values} (normalized as {@link Condition.MatchAny}
     * keeps them), or null when this index cannot answer for all of them. Walks the smaller of
     * the value set and the indexed values, so a long list costs no more than the index is big.
     */
    RoaringBitmap matchAny(java.util.Set<Object> values) {
        if (type == FieldType.FLOAT) {
            RoaringBitmap union = new RoaringBitmap();
            for (Object v : values) {
                if (!(v instanceof Number n)) {
                    return null;
                }
                union.or(range(n.doubleValue(), true, n.doubleValue(), true));
            }
            return union;
        }
        Class<?> kind = switch (type) {
            case KEYWORD, UUID -> String.class;
            case BOOL -> Boolean.class;
            case INTEGER -> Long.class;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        for (Object v : values) {
            if (!kind.isInstance(v)) {
                return null; // a value of another type: points holding it are not in this index
            }
        }
        RoaringBitmap union = new RoaringBitmap();
        if (values.size() <= byValue.size()) {
            for (Object v : values) {
                RoaringBitmap b = byValue.get(v);
                if (b != null) {
                    union.or(b);
                }
            }
        } else {
            byValue.forEach((v, b) -> {
                if (values.contains(v)) {
                    union.or(b);
                }
            });
        }
        return union;
    }

    /** Ordinals with a number in the range, or null for an index of another type. */
    RoaringBitmap range(Condition.Range r) {
        return type == FieldType.INTEGER || type == FieldType.FLOAT ? range(r.gt(), r.gte(), r.lt(), r.lte()) : null;
    }

    /** Ordinals with a datetime in the range, or null unless this is a datetime index. */
    RoaringBitmap datetime(ValueConditions.DatetimeRange r) {
        return type == FieldType.DATETIME ? range(r.gt(), r.gte(), r.lt(), r.lte()) : null;
    }

    private RoaringBitmap range(Double gt, Double gte, Double lt, Double lte) {
        double lo = Double.NEGATIVE_INFINITY;
        boolean loIn = true;
        if (gte != null) {
            lo = gte;
        }
        if (gt != null && gt >= lo) {
            lo = gt;
            loIn = false;
        }
        double hi = Double.POSITIVE_INFINITY;
        boolean hiIn = true;
        if (lte != null) {
            hi = lte;
        }
        if (lt != null && lt <= hi) {
            hi = lt;
            hiIn = false;
        }
        return range(lo, loIn, hi, hiIn);
    }

    private RoaringBitmap range(double lo, boolean loIn, double hi, boolean hiIn) {
        if (count - sorted > Math.max(1024, sorted / 4)) {
            sortAll();
        }
        // Sorted prefix: binary search for the first value in range, walk until past the top; the
        // ordinals come out in value order, so they are collected and the bitmap built in one go.
        int from = lowerBound(lo, loIn);
        int to = from;
        while (to < sorted && (numbers[to] < hi || (numbers[to] == hi && hiIn))) {
            to++;
        }
        int[] ords = Arrays.copyOfRange(numberOrdinals, from, to + (count - sorted));
        int n = to - from;
        for (int j = sorted; j < count; j++) { // the unsorted tail
            double v = numbers[j];
            if ((v > lo || (v == lo && loIn)) && (v < hi || (v == hi && hiIn))) {
                ords[n++] = numberOrdinals[j];
            }
        }
        return RoaringBitmap.bitmapOfUnordered(Arrays.copyOf(ords, n));
    }

    private int lowerBound(double lo, boolean inclusive) {
        int a = 0;
        int b = sorted;
        while (a < b) {
            int mid = (a + b) >>> 1;
            double v = numbers[mid];
            if (v < lo || (v == lo && !inclusive)) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        return a;
    }

    private void sortAll() {
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(numbers[x], numbers[y]));
        double[] v = new double[Math.max(16, count)];
        int[] o = new int[v.length];
        for (int i = 0; i < count; i++) {
            v[i] = numbers[order[i]];
            o[i] = numberOrdinals[order[i]];
        }
        numbers = v;
        numberOrdinals = o;
        sorted = count;
    }

    /** Ordinals holding at least one value at the key. */
    RoaringBitmap present() {
        return present;
    }

    /** Points with a value at the key (deleted ones included). */
    long pointsIndexed() {
        return present.getLongCardinality();
    }
}
