package io.vectorflow.storage.io;

import io.vectorflow.core.store.Checksums;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The container for a segment's binary files (ids, payloads, deletes): a header, sections of raw
 * bytes, a checksum. Readers get each section as a slice of the file (mapped, or read into
 * memory). Sections are written from buffers or streamed ({@link Section}), so writing a large
 * file needs no buffer of its size.
 *
 * <h2>Format (little-endian)</h2>
 * <pre>
 * offset  size            field
 *      0     4            magic (per file kind)
 *      4     4            format version (1)
 *      8     4            flags (0; bits reserved for compression and encryption)
 *     12     4            section count s
 *     16     8 * s        byte length of each section
 *      …                  each section, starting at the next 64-byte boundary
 *      …     4            CRC32C of every byte before it
 * </pre>
 */
public final class BlockFile {

    public static final int VERSION = 1;
    private static final int ALIGN = 64;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockFile() {}

    /** One section's content: its length, and how to write exactly that many bytes. */
    public interface Section {
        long length();

        void writeTo(ChecksummedWriter out) throws IOException;

        /** A section holding a buffer's remaining bytes. */
        static Section of(ByteBuffer b) {
            return new Section() {
                @Override
                public long length() {
                    return b.remaining();
                }

                @Override
                public void writeTo(ChecksummedWriter out) throws IOException {
                    out.write(b.duplicate());
                }
            };
        }
    }

    /** Writes a new file (which must not exist) with the given sections and forces it. */
    public static void write(Disk disk, Path file, int magic, ByteBuffer... sections) throws IOException {
        Section[] s = new Section[sections.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Section.of(sections[i]);
        }
        write(disk, file, magic, s);
    }

    /**
     * Writes a new file (which must not exist) with the given sections and forces it.
     *
     * @throws IOException also when a section writes other than its declared length
     */
    public static void write(Disk disk, Path file, int magic, Section... sections) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16 + 8 * sections.length).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(magic).putInt(VERSION).putInt(0).putInt(sections.length);
        for (Section s : sections) {
            header.putLong(s.length());
        }
        header.flip();
        try (FileChannel ch = disk.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ChecksummedWriter out = new ChecksummedWriter(ch);
            out.write(header);
            for (Section s : sections) {
                out.padTo(ALIGN);
                long start = out.position();
                s.writeTo(out);
                if (out.position() - start != s.length()) {
                    throw new IOException(file + ": a section wrote " + (out.position() - start) + " bytes, declared " + s.length());
                }
            }
            out.finish();
            ch.force(true);
        }
    }

    /**
     * The sections of a mapped block file, after checking magic, version, sizes and checksum.
     *
     * @param what names the file in error messages
     * @throws CorruptFileException saying what is wrong with which file
     */
    public static MemorySegment[] read(MemorySegment file, int magic, String what) {
        long size = file.byteSize();
        if (size < 20 || file.get(I32, 0) != magic) {
            throw new CorruptFileException(what + ": not a VectorFlow block file of this kind (bad magic or too short)");
        }
        if (file.get(I32, 4) != VERSION) {
            throw new CorruptFileException(what + ": unsupported format version " + file.get(I32, 4));
        }
        int count = file.get(I32, 12);
        if (count < 0 || count > 64 || 16 + 8L * count + 4 > size) {
            throw new CorruptFileException(what + ": bad section count " + count);
        }
        if (file.get(I32, size - 4) != Checksums.crc32c(file, 0, size - 4)) {
            throw new CorruptFileException(what + ": checksum mismatch (the file is damaged)");
        }
        MemorySegment[] sections = new MemorySegment[count];
        long pos = 16 + 8L * count;
        for (int i = 0; i < count; i++) {
            long len = file.get(I64, 16 + 8L * i);
            pos += (ALIGN - pos % ALIGN) % ALIGN;
            if (len < 0 || pos + len > size - 4) {
                throw new CorruptFileException(what + ": section " + i + " runs past the end of the file");
            }
            sections[i] = file.asSlice(pos, len);
            pos += len;
        }
        return sections;
    }
}
