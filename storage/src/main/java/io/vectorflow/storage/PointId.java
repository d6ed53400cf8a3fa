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
     * Parses a decimal unsigned 64-bit integer or a UUID in its canonical 36-character form.
     *
     * @throws IllegalArgumentException naming the bad text
     */
    public static PointId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("id must be an unsigned integer or a UUID, got an empty value");
        }
        if (text.length() == 36 && text.charAt(8) == '-') {
            try {
                return of(UUID.fromString(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("id is not a valid UUID: '" + text + "'");
            }
        }
        try {
            return of(Long.parseUnsignedLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("id must be an unsigned 64-bit integer or a UUID, got '" + text + "'");
        }
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
