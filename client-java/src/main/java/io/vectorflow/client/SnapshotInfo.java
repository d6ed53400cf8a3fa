package io.vectorflow.client;

import java.time.Instant;

/**
 * A snapshot archive in the server's data directory.
 *
 * @param name its file name, {@code <collection>-<time>.snapshot}
 * @param size bytes
 * @param created when it was written
 */
public record SnapshotInfo(String name, long size, Instant created) {
}
