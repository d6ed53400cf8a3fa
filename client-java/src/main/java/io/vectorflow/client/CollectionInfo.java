package io.vectorflow.client;

import java.util.Optional;

/**
 * A collection's configuration and state.
 *
 * @param name its name
 * @param dimension vector length
 * @param distance how vectors are compared
 * @param onDisk whether sealed segments are searched in place in their files
 * @param m HNSW links per node
 * @param efConstruct HNSW candidate list while building
 * @param pointsCount points stored
 * @param segmentsCount segments
 * @param unindexedPoints points written but not yet in a graph (searched exactly meanwhile)
 * @param readOnlyReason why the collection takes no writes, empty when it does
 */
public record CollectionInfo(String name, int dimension, Distance distance, boolean onDisk, int m, int efConstruct,
                             long pointsCount, int segmentsCount, long unindexedPoints, Optional<String> readOnlyReason) {
}
