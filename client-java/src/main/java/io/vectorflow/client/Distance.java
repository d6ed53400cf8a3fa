package io.vectorflow.client;

/** How a collection compares vectors. */
public enum Distance {
    /** Cosine similarity: vectors are normalised when written; higher scores are closer. */
    COSINE,
    /** Inner product; higher scores are closer. */
    DOT,
    /** Euclidean distance; lower scores are closer. */
    EUCLID,
    /** Manhattan (L1) distance; lower scores are closer. */
    MANHATTAN
}
