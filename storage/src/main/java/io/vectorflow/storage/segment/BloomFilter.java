package io.vectorflow.storage.segment;

import io.vectorflow.storage.PointId;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Bloom filter over a sealed segment's ids, so that looking an id up (every upsert, delete and
 * get) skips the segments that cannot hold it without touching their id index. With
 * {@link #BITS_PER_ID} bits per id and {@link #HASHES} hash functions the false-positive rate is
 * about 1% (the storage benchmark measures it).
 *
 * <p>Hashing: one 64-bit mix of the id (kind, high and low bits), split into two 32-bit halves
 * {@code h1}, {@code h2}; probe {@code i} is bit {@code (h1 + i * h2) mod m} (Kirsch and
 * Mitzenmacher's double hashing). Stored as the single section of {@code bloom.bin}, a
 * {@link io.vectorflow.storage.io.BlockFile} with magic {@code 0x4C424656} ("VFBL"): the bit
 * array as little-endian 64-bit words, bit {@code b} in word {@code b / 64} at position {@code b % 64}.
 */
public final class BloomFilter {

    public static final int MAGIC = 0x4C424656;
    public static final int BITS_PER_ID = 10;
    public static final int HASHES = 7;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment words;
    private final long bits;

    private BloomFilter(MemorySegment words) {
        this.words = words;
        this.bits = words.byteSize() * 8;
    }

    /** Reads a filter from its bit array (for instance a section of a mapped {@code bloom.bin}). */
    /** Bytes of the filter held in memory (0 when its words are read through a file mapping). */
    public long bytesInMemory() {
        return words.isMapped() ? 0 : words.byteSize();
    }

    public static BloomFilter over(MemorySegment words) {
        if (words.byteSize() == 0 || words.byteSize() % 8 != 0) {
            throw new IllegalArgumentException("a Bloom filter needs a whole number of 64-bit words");
        }
        return new BloomFilter(words);
    }

    /** The bit array of a filter holding {@code ids}. */
    public static ByteBuffer build(Iterable<PointId> ids, int count) {
        long bits = Math.max(64, ((long) count * BITS_PER_ID + 63) / 64 * 64);
        ByteBuffer words = ByteBuffer.allocate((int) (bits / 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (PointId id : ids) {
            long h = hash(id);
            int h1 = (int) h, h2 = (int) (h >>> 32);
            for (int i = 0; i < HASHES; i++) {
                long bit = Integer.toUnsignedLong(h1 + i * h2) % bits;
                int at = (int) (bit >>> 6) * 8;
                words.putLong(at, words.getLong(at) | 1L << (bit & 63));
            }
        }
        return words;
    }

    /** False when the id is certainly not in the segment; true when it may be. */
    public boolean mightContain(PointId id) {
        long h = hash(id);
        int h1 = (int) h, h2 = (int) (h >>> 32);
        for (int i = 0; i < HASHES; i++) {
            long bit = Integer.toUnsignedLong(h1 + i * h2) % bits;
            if ((words.get(WORD, (bit >>> 6) * 8) & 1L << (bit & 63)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** A 64-bit mix of the id (SplitMix64's finaliser over both halves and the kind). */
    static long hash(PointId id) {
        long z = id.lsb() * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(id.msb(), 31) ^ (id.uuid() ? 0x5DEECE66DL : 0);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
