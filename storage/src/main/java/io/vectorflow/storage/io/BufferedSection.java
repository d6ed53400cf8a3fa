package io.vectorflow.storage.io;

import io.vectorflow.core.store.ChecksummedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian values written through a 64 KiB buffer into a {@link ChecksummedWriter}: how a
 * {@link BlockFile.Section} streams a column of millions of values without a buffer its size.
 */
public final class BufferedSection {

    private final ChecksummedWriter out;
    private final ByteBuffer buf = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);

    public BufferedSection(ChecksummedWriter out) {
        this.out = out;
    }

    private void room(int bytes) throws IOException {
        if (buf.remaining() < bytes) {
            flush();
        }
    }

    public BufferedSection putByte(byte b) throws IOException {
        room(1);
        buf.put(b);
        return this;
    }

    public BufferedSection putInt(int v) throws IOException {
        room(4);
        buf.putInt(v);
        return this;
    }

    public BufferedSection putLong(long v) throws IOException {
        room(8);
        buf.putLong(v);
        return this;
    }

    public BufferedSection put(byte[] bytes) throws IOException {
        if (bytes.length > buf.capacity()) {
            flush();
            out.write(ByteBuffer.wrap(bytes));
            return this;
        }
        room(bytes.length);
        buf.put(bytes);
        return this;
    }

    /** Writes what is buffered; call once at the end of the section. */
    public void flush() throws IOException {
        buf.flip();
        if (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }
}
