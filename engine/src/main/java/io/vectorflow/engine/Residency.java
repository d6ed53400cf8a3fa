package io.vectorflow.engine;

import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.io.Advice;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;

/**
 * Samples, for one query on one segment searched in place in its file mapping, whether the vector
 * pages the query reads are already in memory ({@code mincore(2)} just before the read). Segments
 * held in memory need no sampling: everything they read is resident.
 */
final class Residency implements SearchResults.ReadProbe {

    /** Most pages an exact scan samples before it starts. */
    private static final int SCAN_SAMPLES = 32;

    private final VectorStore vectors;
    private final long base;
    private int samples;
    private int hits;

    private Residency(VectorStore vectors) {
        this.vectors = vectors;
        this.base = vectors.segment().address();
    }

    /** A probe for a segment searched in place; null for one whose vectors are in memory. */
    static Residency of(Segment s, int slot) {
        return s instanceof SealedSegment sealed && sealed.searchesInPlace(slot) ? new Residency(sealed.vectors(slot)) : null;
    }

    @Override
    public void beforeRead(int ordinal) {
        samples++;
        if (Advice.isResident(base + vectors.offset(ordinal))) {
            hits++;
        }
    }

    /** Samples evenly spread ordinals of {@code [from, to)} before a scan of that range. */
    void sampleRange(int from, int to) {
        int n = to - from;
        int step = Math.max(1, n / SCAN_SAMPLES);
        for (int o = from; o < to; o += step) {
            beforeRead(o);
        }
    }

    /** Samples evenly spread entries of {@code ordinals[0, count)} before a scan of them. */
    void sampleOrdinals(int[] ordinals, int count) {
        int step = Math.max(1, count / SCAN_SAMPLES);
        for (int i = 0; i < count; i += step) {
            beforeRead(ordinals[i]);
        }
    }

    /** Share of sampled reads that found their page in memory; 1 before any sample. */
    double hitRate() {
        return samples == 0 ? 1 : hits / (double) samples;
    }
}
