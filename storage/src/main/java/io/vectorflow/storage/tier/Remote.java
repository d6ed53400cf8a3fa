package io.vectorflow.storage.tier;

import io.vectorflow.storage.object.ObjectStore;

/**
 * Where a segment in the object or archive tier keeps its float vectors: the store, the
 * database's block cache, and the key prefix under which the segment's vectors files lie
 * ({@code <prefix>/vectors.f32}, {@code <prefix>/vectors-<i>.f32}; archived, each
 * zstd-compressed as {@code <file>.zst}).
 */
public record Remote(ObjectStore store, BlockCache cache, String prefix, boolean archived) {

    /** The key of a file of the segment (its compressed object when archived). */
    public String key(String file) {
        return prefix + "/" + file + (archived ? ".zst" : "");
    }
}
