package io.vectorflow.core.hnsw;

import io.vectorflow.core.util.LongHeap;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Repairs level 0 of an {@link HnswIndex} so that every node is reachable from the entry point.
 * Every level-0 search is seeded with the entry point as well as with the node the descent
 * through the upper levels lands on, so with this repair a beam wide enough finds every node.
 *
 * <p>HNSW can lose reachability: when a full list is re-pruned, the diversity heuristic may drop
 * the only link into a node (heavy exact duplicates and very small M make it common). For each
 * node {@code u} found unreachable, the repair finds its nearest reachable node {@code c} by a
 * search and links {@code c → u}. When {@code c}'s list is full it splices instead: {@code c → t}
 * becomes {@code c → u → t}, so {@code t} stays reachable through {@code u}, and if {@code u}'s own
 * list is full one of its links gives way. No path from the entry ran through {@code u} (it was
 * unreachable), so dropping one of its links cuts nothing: the reachable set only grows, and one
 * pass over the nodes is enough.
 */
final class Connectivity {

    private final HnswIndex index;
    private final int capacity;
    private final int maxLinks;
    private final long[] nearest;
    private final int[] list;
    private int[] stack = new int[1024];

    Connectivity(HnswIndex index) {
        this.index = index;
        this.capacity = index.graph().capacity;
        this.maxLinks = index.m0;
        this.nearest = new long[Math.max(index.efConstruction, HnswIndex.DEFAULT_EF_SEARCH) + maxLinks + 1];
        this.list = new int[maxLinks];
    }

    /** Returns the number of nodes that were unreachable and are now linked in. */
    int repair() {
        long e = index.entryPacked();
        if (e < 0) {
            return 0;
        }
        int entry = (int) e;
        BitSet reached = new BitSet(capacity);
        flood(entry, reached);
        int linked = 0;
        for (int u = 0; u < capacity; u++) {
            if (index.level(u) < 0 || reached.get(u)) {
                continue;
            }
            int host = entry;
            int found = index.nearestOnLevel0(u, nearest);
            for (int i = 0; i < found; i++) {
                int c = LongHeap.ordinal(nearest[i]);
                if (c != u && reached.get(c)) {
                    host = c;
                    break;
                }
            }
            linkInto(host, u);
            linked++;
            flood(u, reached);
        }
        return linked;
    }

    /** Links reachable {@code host} to unreachable {@code u}, splicing when the host is full. */
    private void linkInto(int host, int u) {
        int count = read(host);
        if (count < maxLinks) {
            list[count] = u;
            index.setLevel0Links(host, list, count + 1);
            return;
        }
        int slot = farthest(host, count);
        int t = list[slot];
        list[slot] = u;
        index.setLevel0Links(host, list, count);
        count = read(u);
        for (int i = 0; i < count; i++) {
            if (list[i] == t) {
                return;
            }
        }
        if (count < maxLinks) {
            list[count++] = t;
        } else {
            list[farthest(u, count)] = t;
        }
        index.setLevel0Links(u, list, count);
    }

    private int read(int node) {
        int count = index.level0Count(node);
        for (int i = 0; i < count; i++) {
            list[i] = index.level0Link(node, i);
        }
        return count;
    }

    /** The slot in {@code list} (holding {@code node}'s links) of the link farthest from {@code node}. */
    private int farthest(int node, int count) {
        int slot = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            float d = index.distanceBetween(node, list[i]);
            if (d > max) {
                max = d;
                slot = i;
            }
        }
        return slot;
    }

    /** Marks everything reachable on level 0 from {@code start}; marked nodes are not entered again. */
    private void flood(int start, BitSet marked) {
        int top = 0;
        marked.set(start);
        stack[top++] = start;
        while (top > 0) {
            int node = stack[--top];
            for (int i = 0, n = index.level0Count(node); i < n; i++) {
                int next = index.level0Link(node, i);
                if (!marked.get(next)) {
                    marked.set(next);
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, 2 * top);
                    }
                    stack[top++] = next;
                }
            }
        }
    }
}
