package io.vectorflow.storage.tier;

import io.vectorflow.storage.object.ObjectStore;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A collection's place in object storage: the database's store and block cache, and the key
 * prefix under which the collection's cold segments live. Each segment moved there gets a prefix
 * of its own, {@code <collection prefix>/<segment number>-<16 random hex digits>}, so a segment
 * number that a dropped and re-created collection uses again never meets the old objects.
 */
public record ObjectTier(ObjectStore store, BlockCache cache, String collectionPrefix) {

    /** A fresh prefix for segment {@code number}'s vectors. */
    public String newSegmentPrefix(long number) {
        return collectionPrefix + "/" + number + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** Where the segment whose manifest entry names {@code prefix} keeps its vectors (compressed when {@code archived}). */
    public Remote remote(String prefix, boolean archived) {
        return new Remote(store, cache, prefix, archived);
    }
}
