package io.vectorflow.storage;

import java.util.UUID;

/**
 * A point's id, as Qdrant has them: an unsigned 64-bit integer or a UUID. Ids order numbers first
 * (compared unsigned), then UUIDs (by their 128 bits, unsigned), which is the order scroll uses.
 *
 * @param uuid whether this is a UUID (otherwise a number held in {@code lsb})
 * @param msb  the UUID's high 64 bits; 0 for numbers
 * @param lsb  the UUID's low 64 bits, or the number (unsigned)
 */
public record PointId(boolean uuid, long msb, long lsb) implements Comparable<PointId> {

    public PointId {
        if (!uuid && msb != 0) {
            throw new IllegalArgumentException("a numeric id has no high bits");
        }
    }

    /** A numeric id; {@code value} is read as unsigned. */
    public static PointId of(long value) {
        return new PointId(false, 0, value);
    }

    public static PointId of(UUID value) {
        return new PointId(true, value.getMostSignificantBits(), value.getLeastSignificantBits());
    }

    /**
     * An id as text: an unsigned 64-bit integer in ASCII digits, or a UUID in canonical form.
     *
     * @throws IllegalArgumentException for anything else (signs, spaces, other digits, other UUID forms)
     */
    public static PointId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("id must be an unsigned integer or a UUID, got an empty value");
        }
        if (text.length() <= 20 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return of(Long.parseUnsignedLong(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("id must be an unsigned 64-bit integer or a UUID, got '" + text + "'");
            }
        }
        try {
            return parseUuid(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("id must be an unsigned 64-bit integer (ASCII digits) or a UUID"
                    + " (8-4-4-4-12 hexadecimal digits), got '" + (text.length() > 64 ? text.substring(0, 61) + "..." : text) + "'");
        }
    }

    /**
     * A UUID in canonical form: 36 characters, hexadecimal digits (either case, ASCII only) in
     * groups of 8, 4, 4, 4 and 12 separated by '-'. Nothing else: no sign, space, braces, URN
     * prefix or other digits, which {@link UUID#fromString} would let through.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static PointId parseUuid(String text) {
        if (text == null || text.length() != 36) {
            throw new IllegalArgumentException("not a canonical UUID");
        }
        long msb = 0;
        long lsb = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    throw new IllegalArgumentException("not a canonical UUID");
                }
                continue;
            }
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw new IllegalArgumentException("not a canonical UUID");
            }
            if (digits++ < 16) {
                msb = msb << 4 | d;
            } else {
                lsb = lsb << 4 | d;
            }
        }
        return new PointId(true, msb, lsb);
    }

    /** The id as JSON would carry it: a number or a UUID string. */
    public Object toJsonValue() {
        if (uuid) {
            return new UUID(msb, lsb).toString();
        }
        return lsb >= 0 ? (Object) lsb : new java.math.BigInteger(Long.toUnsignedString(lsb));
    }

    @Override
    public int compareTo(PointId o) {
        if (uuid != o.uuid) {
            return uuid ? 1 : -1;
        }
        int c = Long.compareUnsigned(msb, o.msb);
        return c != 0 ? c : Long.compareUnsigned(lsb, o.lsb);
    }

    @Override
    public String toString() {
        return uuid ? new UUID(msb, lsb).toString() : Long.toUnsignedString(lsb);
    }
}
