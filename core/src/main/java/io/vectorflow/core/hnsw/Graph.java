package io.vectorflow.core.hnsw;

import io.vectorflow.core.util.AtomicBitSet;
import java.lang.foreign.MemorySegment;

/**
 * The per-node structures of one capacity, published as a whole: searches read it once. Its
 * arrays are written in place by inserts and deletes (under the shared grow lock) and copied
 * into a larger one under the exclusive lock.
 */
final class Graph {
    /** Level-0 adjacency: node n's list starts at byte {@code n * level0Stride}. */
    final MemorySegment links0;
    /** Highest level of each node, -1 while the node is not in the graph. */
    final byte[] levels;
    /** Lists on levels 1..L of each node, {@code (1 + m)} ints per level; null for level-0 nodes. */
    final int[][] upper;
    final AtomicBitSet deleted;
    final int capacity;

    Graph(MemorySegment links0, byte[] levels, int[][] upper, AtomicBitSet deleted) {
        this.links0 = links0;
        this.levels = levels;
        this.upper = upper;
        this.deleted = deleted;
        this.capacity = levels.length;
    }
}
