package io.vectorflow.storage;

import io.vectorflow.core.sparse.SparseVector;

/**
 * A point to write: its id, its vectors as given (each slot's metric prepares it), its payload
 * as UTF-8 JSON (may be empty).
 *
 * @param vector the vector of dense slot 0, or null when the point lacks it
 * @param more   the vectors of dense slots 1, 2, … (null entries where lacking; the array may
 *               be shorter than the slots, or null)
 * @param sparse the vectors of the sparse slots (null entries where lacking; may be shorter, or null)
 */
public record PointRecord(PointId id, float[] vector, byte[] payload, float[][] more, SparseVector[] sparse) {
    /** A point with one dense vector. */
    public PointRecord(PointId id, float[] vector, byte[] payload) {
        this(id, vector, payload, null, null);
    }

    /** The vector of dense slot {@code slot}, or null. */
    public float[] dense(int slot) {
        return slot == 0 ? vector : more == null || slot - 1 >= more.length ? null : more[slot - 1];
    }

    /** The vector of sparse slot {@code slot}, or null. */
    public SparseVector sparse(int slot) {
        return sparse == null || slot >= sparse.length ? null : sparse[slot];
    }
}
