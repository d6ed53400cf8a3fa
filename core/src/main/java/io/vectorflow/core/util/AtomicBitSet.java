package io.vectorflow.core.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed-size bit set safe for concurrent setting and lock-free reading: used for deleted
 * ordinals, which searches read while writers mark them. {@link #grownTo} copies it into a
 * larger one.
 */
public final class AtomicBitSet {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final int length;

    public AtomicBitSet(int length) {
        this.length = length;
        this.words = new long[(length + 63) >>> 6];
    }

    /** Wraps existing words (as written by {@link #words()}). */
    public AtomicBitSet(int length, long[] words) {
        if (words.length != (length + 63) >>> 6) {
            throw new IllegalArgumentException("expected " + ((length + 63) >>> 6) + " words, got " + words.length);
        }
        this.length = length;
        this.words = words;
    }

    public int length() {
        return length;
    }

    /** Sets the bit; returns true when it was clear before. */
    public boolean set(int i) {
        long mask = 1L << i;
        long prev = (long) WORDS.getAndBitwiseOr(words, i >>> 6, mask);
        return (prev & mask) == 0;
    }

    public boolean get(int i) {
        return ((long) WORDS.getOpaque(words, i >>> 6) & (1L << i)) != 0;
    }

    public int cardinality() {
        int c = 0;
        for (int w = 0; w < words.length; w++) {
            c += Long.bitCount((long) WORDS.getOpaque(words, w));
        }
        return c;
    }

    /**
     * A copy holding these bits and room for {@code newLength} (at least the current length).
     * Bits set concurrently with the copy may be missed: callers stop setters while they grow.
     */
    public AtomicBitSet grownTo(int newLength) {
        if (newLength < length) {
            throw new IllegalArgumentException("cannot shrink a bit set from " + length + " to " + newLength);
        }
        long[] next = new long[(newLength + 63) >>> 6];
        for (int w = 0; w < words.length; w++) {
            next[w] = (long) WORDS.getOpaque(words, w);
        }
        return new AtomicBitSet(newLength, next);
    }

    /** A snapshot of the words, for serialisation. */
    public long[] words() {
        long[] copy = new long[words.length];
        for (int w = 0; w < words.length; w++) {
            copy[w] = (long) WORDS.getOpaque(words, w);
        }
        return copy;
    }
}
