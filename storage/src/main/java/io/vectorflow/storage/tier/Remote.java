package io.vectorflow.storage.tier;

import io.vectorflow.storage.object.ObjectStore;

/**
 * Where a segment in the object tier keeps its float vectors: the store, the database's block
 * cache, and the key prefix under which the segment's vectors files lie ({@code <prefix>/vectors.f32},
 * {@code <prefix>/vectors-<i>.f32}).
 */
public record Remote(ObjectStore store, BlockCache cache, String prefix) {

    /** The key of a file of the segment. */
    public String key(String file) {
        return prefix + "/" + file;
    }
}
