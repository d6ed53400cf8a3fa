package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswGraphFile;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.sparse.SparseIndex;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.io.BlockFile;
import io.vectorflow.storage.io.BufferedSection;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files a sealed segment holds beyond its first dense vector, when its points carry more
 * than one kind ({@link VectorLayout}): the other dense slots' vectors and graphs, the absent
 * bits, and each sparse slot's inverted index and forward vectors. {@link SealedSegment}
 * documents the formats.
 */
final class SlotFiles {

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SlotFiles() {}

    static String sparseIndexFile(int slot) {
        return "sparse-" + slot + ".idx";
    }

    static String sparseVectorsFile(int slot) {
        return "sparse-" + slot + ".fwd";
    }

    /** Writes the files of slots beyond the first dense one into {@code dir}, each forced. */
    static void write(Disk disk, Path dir, Segment segment) throws IOException {
        int n = segment.size();
        for (int slot = 1; slot < segment.vectorSlots(); slot++) {
            try (FileChannel ch = disk.open(dir.resolve(SealedSegment.vectorsFile(slot)), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                segment.vectors(slot).writeTo(ch);
                ch.force(true);
            }
            try (FileChannel ch = disk.open(dir.resolve(SealedSegment.graphFile(slot)), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                HnswGraphFile.write(segment.graph(slot), ch);
                ch.force(true);
            }
        }
        ByteBuffer[] absent = new ByteBuffer[segment.vectorSlots()];
        for (int slot = 0; slot < absent.length; slot++) {
            final int s = slot;
            absent[slot] = segment.everyHasVector(slot) ? ByteBuffer.allocate(0) : SealedSegment.bits(n, o -> !segment.hasVector(s, o));
        }
        BlockFile.write(disk, dir.resolve(SealedSegment.ABSENT), SealedSegment.ABSENT_MAGIC, absent);
        for (int j = 0; j < segment.sparseSlots(); j++) {
            writeSparse(disk, dir, segment, j, n);
        }
    }

    private static void writeSparse(Disk disk, Path dir, Segment segment, int slot, int n) throws IOException {
        SparseIndex.Builder b = new SparseIndex.Builder();
        long entries = 0;
        for (int o = 0; o < n; o++) {
            SparseVector v = segment.sparse(slot, o);
            if (v != null) {
                b.add(o, v);
                entries += v.size();
            }
        }
        try (FileChannel ch = disk.open(dir.resolve(sparseIndexFile(slot)), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            b.build(n).writeTo(new ChecksummedWriter(ch));
            ch.force(true);
        }
        long total = entries;
        BlockFile.write(disk, dir.resolve(sparseVectorsFile(slot)), SealedSegment.SPARSE_MAGIC,
                SealedSegment.column(n + 1, 8, new SealedSegment.ColumnWriter() {
                    long at;

                    @Override
                    public void put(BufferedSection out, int o) throws IOException {
                        out.putLong(at);
                        SparseVector v = o < n ? segment.sparse(slot, o) : null;
                        at += v == null ? 0 : v.size();
                    }
                }),
                entries(total, n, o -> segment.sparse(slot, o), true),
                entries(total, n, o -> segment.sparse(slot, o), false),
                BlockFile.Section.of(SealedSegment.bits(n, o -> segment.sparse(slot, o) != null)));
    }

    /** Every vector's dimension ids ({@code indices}) or values, in ordinal order. */
    private static BlockFile.Section entries(long total, int n, java.util.function.IntFunction<SparseVector> vectors,
                                             boolean indices) {
        return new BlockFile.Section() {
            @Override
            public long length() {
                return 4 * total;
            }

            @Override
            public void writeTo(ChecksummedWriter w) throws IOException {
                BufferedSection out = new BufferedSection(w);
                for (int o = 0; o < n; o++) {
                    SparseVector v = vectors.apply(o);
                    if (v != null) {
                        for (int i = 0; i < v.size(); i++) {
                            if (indices) {
                                out.putInt(v.indices()[i]);
                            } else {
                                out.putInt(Float.floatToRawIntBits(v.values()[i]));
                            }
                        }
                    }
                }
                out.flush();
            }
        };
    }

    /** Opens the slots beyond the first dense one, checking each file against the segment's size. */
    static SealedSegment.Extra open(SealedSegment.Loader files, Path dir, VectorStore[] stores, HnswIndex[] indexes,
                                    int sparseSlots) throws IOException {
        int n = stores[0].size();
        MemorySegment[] absent = files.checked(dir.resolve(SealedSegment.ABSENT), SealedSegment.ABSENT_MAGIC);
        if (absent.length != stores.length) {
            throw new CorruptFileException(dir.resolve(SealedSegment.ABSENT) + ": " + absent.length + " sections for "
                    + stores.length + " dense vectors");
        }
        for (int slot = 0; slot < absent.length; slot++) {
            if (absent[slot].byteSize() == 0) {
                absent[slot] = null;
            } else if (absent[slot].byteSize() != 8L * ((n + 63) / 64)) {
                throw new CorruptFileException(dir.resolve(SealedSegment.ABSENT) + ": bits do not match the " + n + " points");
            }
        }
        SparseIndex[] sparse = new SparseIndex[sparseSlots];
        MemorySegment[][] forward = new MemorySegment[sparseSlots][];
        for (int j = 0; j < sparseSlots; j++) {
            Path idx = dir.resolve(sparseIndexFile(j));
            sparse[j] = SparseIndex.read(files.load(idx), idx.toString());
            Path fwd = dir.resolve(sparseVectorsFile(j));
            forward[j] = files.checked(fwd, SealedSegment.SPARSE_MAGIC);
            if (forward[j].length != 4 || forward[j][0].byteSize() != 8L * (n + 1)
                    || forward[j][1].byteSize() != forward[j][2].byteSize()
                    || forward[j][0].get(I64, 8L * n) * 4 != forward[j][1].byteSize()
                    || forward[j][3].byteSize() != 8L * ((n + 63) / 64)) {
                throw new CorruptFileException(fwd + ": sections do not match the " + n + " points");
            }
        }
        return new SealedSegment.Extra(stores, indexes, absent, sparse, forward);
    }

    /** The sparse vector of {@code ordinal} from a slot's forward sections, or null when the point has none. */
    static SparseVector sparseVector(MemorySegment[] forward, int ordinal) {
        if ((forward[3].get(I64, 8L * (ordinal >>> 6)) >>> (ordinal & 63) & 1) == 0) {
            return null;
        }
        long from = forward[0].get(I64, 8L * ordinal);
        long to = forward[0].get(I64, 8L * ordinal + 8);
        int count = (int) (to - from);
        int[] indices = new int[count];
        float[] values = new float[count];
        MemorySegment.copy(forward[1], I32, 4 * from, indices, 0, count);
        MemorySegment.copy(forward[2], F32, 4 * from, values, 0, count);
        return new SparseVector(indices, values);
    }
}
