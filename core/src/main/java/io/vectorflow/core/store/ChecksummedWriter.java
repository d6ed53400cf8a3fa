package io.vectorflow.core.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32C;

/**
 * Writes buffers and segments to a channel while computing their CRC32C, then appends the
 * checksum as a little-endian int: the footer every VectorFlow file ends with.
 */
public final class ChecksummedWriter {

    private static final long CHUNK = 1 << 20;
    private final WritableByteChannel out;
    private final CRC32C crc = new CRC32C();
    private long written;

    public ChecksummedWriter(WritableByteChannel out) {
        this.out = out;
    }

    public void write(ByteBuffer buffer) throws IOException {
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
            written += out.write(buffer);
        }
    }

    public void write(MemorySegment segment) throws IOException {
        for (long pos = 0; pos < segment.byteSize(); pos += CHUNK) {
            write(segment.asSlice(pos, Math.min(CHUNK, segment.byteSize() - pos)).asByteBuffer());
        }
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    public void padTo(int alignment) throws IOException {
        int pad = (int) ((alignment - written % alignment) % alignment);
        if (pad > 0) {
            write(ByteBuffer.allocate(pad));
        }
    }

    public long position() {
        return written;
    }

    /** Appends the CRC32C of everything written so far. */
    public void finish() throws IOException {
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        footer.flip();
        while (footer.hasRemaining()) {
            written += out.write(footer);
        }
    }
}
