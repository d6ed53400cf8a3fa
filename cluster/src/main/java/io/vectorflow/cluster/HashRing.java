package io.vectorflow.cluster;

import io.vectorflow.storage.PointId;
import java.util.Arrays;

/**
 * Which shard a point lives on: consistent hashing of point ids onto a ring of shard tokens,
 * each shard holding {@link #VIRTUAL_NODES} tokens spread over the ring. A point belongs to the
 * shard owning the first token at or after its id's hash (wrapping around). With virtual nodes
 * every shard owns about the same share of the ring, and growing a collection from n to n + 1
 * shards moves only the points the new shard's tokens take over (about 1/(n + 1) of them), not
 * nearly all of them as {@code hash mod n} would.
 *
 * <p>Tokens and hashes are fixed functions of the shard number and the id (no randomness, no
 * state), so every node computes the same ring from the shard count alone. Lookup is a binary
 * search over a sorted array: about a hundred nanoseconds a point.
 */
public final class HashRing {

    /** Tokens per shard. */
    public static final int VIRTUAL_NODES = 128;

    private final int shards;
    private final long[] tokens;
    private final int[] owners;

    /** A ring over shards {@code 0 .. shards - 1}. */
    public HashRing(int shards) {
        if (shards < 1 || shards > 1024) {
            throw new IllegalArgumentException("shard_number must be between 1 and 1024, got " + shards);
        }
        this.shards = shards;
        int n = shards * VIRTUAL_NODES;
        long[][] pairs = new long[n][];
        for (int s = 0, i = 0; s < shards; s++) {
            for (int v = 0; v < VIRTUAL_NODES; v++, i++) {
                pairs[i] = new long[] {mix(((long) s << 32 | v) + 0x5bd1e995L), s};
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        tokens = new long[n];
        owners = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = pairs[i][0];
            owners[i] = (int) pairs[i][1];
        }
    }

    public int shards() {
        return shards;
    }

    /** The shard holding the point with this id. */
    public int shardOf(PointId id) {
        long h = mix(id.msb() * 0x9E3779B97F4A7C15L ^ mix(id.lsb()) ^ (id.uuid() ? 0x2545F4914F6CDD1DL : 0));
        int i = Arrays.binarySearch(tokens, h);
        if (i < 0) {
            i = -i - 1;
        }
        return owners[i == tokens.length ? 0 : i];
    }

    /** A 64-bit finalizer (SplitMix64's): every input bit moves about half of the output bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
