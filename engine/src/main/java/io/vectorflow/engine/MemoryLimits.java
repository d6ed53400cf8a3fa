package io.vectorflow.engine;

import java.lang.management.ManagementFactory;

/**
 * What this process can hold of a collection's in-memory segments, so that a setting which would
 * need more than there is is refused when it is made (400 naming it), not discovered as an
 * out-of-memory error later.
 *
 * <p>A collection holds its mutable segment and up to {@code CollectionStore.MAX_FROZEN} frozen
 * ones in memory while they wait to be sealed: {@value #SEGMENTS_IN_MEMORY} segments at worst.
 * Each point costs up to {@value #HEAP_BYTES_PER_POINT} bytes of heap (id columns and hash slots,
 * payload positions, graph levels and upper-level references, delete bits, with the slack of
 * structures that grow by half: 82 measured with {@code vectorflow resources}) and, off the heap,
 * its vector and its level-0 links. Segments may take a tenth of the heap and a quarter of the
 * machine's memory at worst.
 */
final class MemoryLimits {

    static final int HEAP_BYTES_PER_POINT = 96;
    static final int SEGMENTS_IN_MEMORY = 5;

    private MemoryLimits() {}

    /** Most points a segment of this collection may hold in this process. */
    static long maxSegmentPoints(int dimension, int m) {
        return maxSegmentPoints(4L * dimension + 4L * (1 + 2L * m));
    }

    /** {@link #maxSegmentPoints(int, int)} for points taking {@code offHeapBytes} each in vectors and graphs. */
    private static long maxSegmentPoints(long offHeapBytes) {
        long heap = Runtime.getRuntime().maxMemory() / 10 / SEGMENTS_IN_MEMORY / HEAP_BYTES_PER_POINT;
        long offHeap = physicalMemory() / 4 / SEGMENTS_IN_MEMORY / offHeapBytes;
        return Math.max(1, Math.min(heap, offHeap));
    }

    /**
     * Refuses a configuration whose segments this process could not hold.
     *
     * @param field the setting that sizes segments, for the message
     * @throws IllegalArgumentException naming the field, what it asks and what fits
     */
    static void check(CollectionConfig c, String field) {
        int slots = c.vectors() == null ? 1 : c.vectors().dense().size();
        long max = maxSegmentPoints(4L * c.vectorDimensions() + slots * 4L * (1 + 2L * c.m()));
        if (c.segmentCapacity() > max) {
            throw new IllegalArgumentException(field + " asks for segments of " + c.segmentCapacity() + " points ("
                    + (4L * c.vectorDimensions() * c.segmentCapacity() >> 10) + " KB of vectors); with this server's memory (heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, " + (physicalMemory() >> 20) + " MiB in all) a segment"
                    + " may hold at most " + max + " points (" + (4L * c.vectorDimensions() * max >> 10) + " KB)");
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }
}
