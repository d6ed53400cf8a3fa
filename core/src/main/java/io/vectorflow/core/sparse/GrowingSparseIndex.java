package io.vectorflow.core.sparse;

import io.vectorflow.core.search.OrdinalFilter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntToDoubleFunction;

/**
 * The sparse vectors of a segment that takes writes: each vector kept by ordinal, and for every
 * dimension a growing postings list (ordinals ascending as they are added, with their values),
 * searched term at a time like {@link SparseIndex}. One writer at a time, any number of readers:
 * adds take a write lock for the few array appends they make, searches a read lock. Memory grows
 * with the entries added (12 bytes per entry, plus the vectors themselves), never ahead of them
 * by more than the doubling of one list.
 */
public final class GrowingSparseIndex implements SparsePostings {

    /** One dimension's postings: ordinals ascending, values beside them. */
    private static final class Postings {
        int[] ordinals = new int[4];
        float[] values = new float[4];
        int size;
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, Postings> postings = new HashMap<>();
    private SparseVector[] vectors = new SparseVector[16];
    private int documents;
    private long entries;

    /**
     * Adds the vector of {@code ordinal}, which must be larger than every ordinal added before
     * (segments append).
     */
    public void add(int ordinal, SparseVector v) {
        lock.writeLock().lock();
        try {
            if (ordinal < documents) {
                throw new IllegalArgumentException("ordinal " + ordinal + " is not after the last one added (" + (documents - 1) + ")");
            }
            if (ordinal >= vectors.length) {
                vectors = Arrays.copyOf(vectors, Math.max(ordinal + 1, vectors.length * 2));
            }
            for (int i = 0; i < v.size(); i++) {
                Postings p = postings.computeIfAbsent(v.indices()[i], d -> new Postings());
                if (p.size == p.ordinals.length) {
                    p.ordinals = Arrays.copyOf(p.ordinals, 2 * p.size);
                    p.values = Arrays.copyOf(p.values, 2 * p.size);
                }
                p.ordinals[p.size] = ordinal;
                p.values[p.size++] = v.values()[i];
            }
            vectors[ordinal] = v;
            documents = ordinal + 1;
            entries += v.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Makes room for ordinals below {@code end} and for the entries of {@code incoming}, so that
     * adding them allocates nothing (a batch is then never half added for want of memory).
     *
     * @throws OutOfMemoryError when the room cannot be had; nothing added so far changes
     */
    public void reserve(int end, java.util.List<SparseVector> incoming) {
        lock.writeLock().lock();
        try {
            if (end > vectors.length) {
                vectors = Arrays.copyOf(vectors, Math.max(end, vectors.length * 2));
            }
            Map<Integer, Integer> more = new HashMap<>();
            for (SparseVector v : incoming) {
                for (int d : v.indices()) {
                    more.merge(d, 1, Integer::sum);
                }
            }
            for (Map.Entry<Integer, Integer> e : more.entrySet()) {
                Postings p = postings.computeIfAbsent(e.getKey(), d -> new Postings());
                int need = p.size + e.getValue();
                if (need > p.ordinals.length) {
                    int size = Math.max(need, 2 * p.ordinals.length);
                    p.ordinals = Arrays.copyOf(p.ordinals, size);
                    p.values = Arrays.copyOf(p.values, size);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The vector added for {@code ordinal}, or null. */
    public SparseVector get(int ordinal) {
        lock.readLock().lock();
        try {
            return ordinal < documents ? vectors[ordinal] : null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Entries held: the sum of the vectors' non-zero counts. */
    public long entries() {
        lock.readLock().lock();
        try {
            return entries;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Heap bytes held, roughly: postings and vectors. */
    public long bytes() {
        return 24L * entries() + 64L * postings.size();
    }

    @Override
    public SparseIndex.Hits search(SparseVector query, int k, OrdinalFilter accept, IntToDoubleFunction weight) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        lock.readLock().lock();
        try {
            SparseAccumulator s = SparseAccumulator.begin(documents);
            for (int qi = 0; qi < query.size(); qi++) {
                Postings p = postings.get(query.indices()[qi]);
                if (p != null) {
                    float q = query.values()[qi] * (weight == null ? 1f : (float) weight.applyAsDouble(query.indices()[qi]));
                    s.add(p.ordinals, p.values, 0, p.size, q);
                }
            }
            return s.top(k, accept);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int documentFrequency(int dim) {
        lock.readLock().lock();
        try {
            Postings p = postings.get(dim);
            return p == null ? 0 : p.size;
        } finally {
            lock.readLock().unlock();
        }
    }
}
