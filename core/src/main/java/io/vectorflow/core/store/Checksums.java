package io.vectorflow.core.store;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** CRC32C over memory segments, in chunks so mapped files are never copied whole. */
public final class Checksums {

    private static final long CHUNK = 1 << 20;

    private Checksums() {}

    public static int crc32c(MemorySegment segment, long from, long to) {
        CRC32C crc = new CRC32C();
        for (long pos = from; pos < to; pos += CHUNK) {
            crc.update(segment.asSlice(pos, Math.min(CHUNK, to - pos)).asByteBuffer());
        }
        return (int) crc.getValue();
    }
}
