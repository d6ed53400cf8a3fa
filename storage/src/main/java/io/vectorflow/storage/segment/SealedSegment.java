package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswGraphFile;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.io.Advice;
import io.vectorflow.storage.io.BlockFile;
import io.vectorflow.storage.io.Disk;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable segment on disk. Its files are memory-mapped; vectors and the level-0 graph are
 * either searched in place in the mapping ({@code onDisk}) or copied once at open into off-heap
 * memory on huge pages. Nothing is copied to the heap but the few upper HNSW levels and the
 * delete bits.
 *
 * <h2>Files in the segment's directory</h2>
 * <ul>
 *   <li>{@code vectors.f32}: the vectors, 64-byte aligned ({@link VectorStore} documents the format).
 *   <li>{@code graph.hnsw}: the HNSW graph ({@link HnswGraphFile}).
 *   <li>{@code ids.bin}: a {@link BlockFile} (magic {@code 0x44494656}, "VFID") with four sections:
 *       id kinds (one byte per ordinal: 0 number, 1 UUID), high 64 bits (i64 per ordinal), low 64
 *       bits (i64 per ordinal), and the ordinals sorted by id (i32 each) for lookups and scroll.
 *   <li>{@code payloads.bin}: a {@link BlockFile} (magic {@code 0x4C504656}, "VFPL") with two
 *       sections: n + 1 offsets (i64) into the second, which holds the UTF-8 JSON payloads.
 *   <li>{@code bloom.bin}: a Bloom filter over the ids ({@link BloomFilter} documents it), so
 *       lookups skip segments that cannot hold an id.
 *   <li>{@code deletes-<generation>.bin}: a {@link BlockFile} (magic {@code 0x4C444656}, "VFDL")
 *       with one section of delete bits (i64 words, bit {@code o % 64} of word {@code o / 64}),
 *       written when a manifest generation records new deletes; the manifest names the current one.
 * </ul>
 * Every file carries a checksum, verified when the segment opens; a damaged file makes the open
 * fail with a message naming it.
 */
public final class SealedSegment implements Segment, Closeable {

    public static final String VECTORS = "vectors.f32";
    public static final String GRAPH = "graph.hnsw";
    public static final String IDS = "ids.bin";
    public static final String PAYLOADS = "payloads.bin";
    public static final String BLOOM = "bloom.bin";
    static final int IDS_MAGIC = 0x44494656;
    static final int PAYLOADS_MAGIC = 0x4C504656;
    static final int DELETES_MAGIC = 0x4C444656;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long number;
    private final Path dir;
    private final Arena arena;
    private final List<MemorySegment> mappings;
    private final VectorStore vectors;
    private final HnswIndex index;
    private final MemorySegment kinds, highs, lows, sorted;
    private final MemorySegment payloadOffsets, payloadBytes;
    private final BloomFilter bloom;
    private final AtomicInteger deleted = new AtomicInteger();
    private volatile boolean deletesDirty;
    private boolean inPlace;

    private SealedSegment(long number, Path dir, Arena arena, List<MemorySegment> mappings, VectorStore vectors,
                          HnswIndex index, MemorySegment[] ids, MemorySegment[] payloads, BloomFilter bloom) {
        this.number = number;
        this.dir = dir;
        this.arena = arena;
        this.mappings = mappings;
        this.vectors = vectors;
        this.index = index;
        this.kinds = ids[0];
        this.highs = ids[1];
        this.lows = ids[2];
        this.sorted = ids[3];
        this.payloadOffsets = payloads[0];
        this.payloadBytes = payloads[1];
        this.bloom = bloom;
    }

    /** Writes the files of {@code segment} into {@code dir} (which exists and is empty) and forces each. */
    public static void write(Disk disk, Path dir, Segment segment) throws IOException {
        int n = segment.size();
        try (FileChannel ch = disk.open(dir.resolve(VECTORS), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            segment.vectors().writeTo(ch);
            ch.force(true);
        }
        try (FileChannel ch = disk.open(dir.resolve(GRAPH), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HnswGraphFile.write(segment.index(), ch);
            ch.force(true);
        }
        ByteBuffer kindBuf = ByteBuffer.allocate(n);
        ByteBuffer highBuf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer lowBuf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> order = new ArrayList<>(n);
        for (int o = 0; o < n; o++) {
            PointId id = segment.id(o);
            kindBuf.put((byte) (id.uuid() ? 1 : 0));
            highBuf.putLong(id.msb());
            lowBuf.putLong(id.lsb());
            order.add(o);
        }
        order.sort((a, b) -> segment.id(a).compareTo(segment.id(b)));
        ByteBuffer sortedBuf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        order.forEach(sortedBuf::putInt);
        BlockFile.write(disk, dir.resolve(IDS), IDS_MAGIC, kindBuf.flip(), highBuf.flip(), lowBuf.flip(), sortedBuf.flip());

        ByteBuffer offsets = ByteBuffer.allocate(8 * (n + 1)).order(ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        for (int o = 0; o < n; o++) {
            offsets.putLong(total);
            total += segment.payload(o).length;
        }
        offsets.putLong(total);
        if (total > Integer.MAX_VALUE - 64) {
            throw new IOException("payloads of one segment exceed 2 GiB; use a smaller segment size");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) total);
        for (int o = 0; o < n; o++) {
            bytes.put(segment.payload(o));
        }
        BlockFile.write(disk, dir.resolve(PAYLOADS), PAYLOADS_MAGIC, offsets.flip(), bytes.flip());
        Iterable<PointId> ids = () -> java.util.stream.IntStream.range(0, n).mapToObj(segment::id).iterator();
        BlockFile.write(disk, dir.resolve(BLOOM), BloomFilter.MAGIC, BloomFilter.build(ids, n));
    }

    /**
     * Maps and checks a segment's files.
     *
     * @param deletesFile the delete-bits file the manifest names, or null
     * @param prefault    with {@code onDisk}: read every vector page now (hot segments) rather than on first touch
     * @param onDisk      search the vectors and graph in place in the mapped files (the page cache
     *                    decides what is in memory; the collection can outgrow RAM); otherwise copy
     *                    them at open into off-heap memory on 2 MiB pages, which searches faster
     *                    where the kernel cannot back file mappings with huge pages
     * @throws io.vectorflow.core.store.CorruptFileException naming the damaged file
     */
    public static SealedSegment open(Disk disk, Path dir, long number, String deletesFile, boolean prefault,
                                     boolean onDisk) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            List<MemorySegment> maps = new ArrayList<>();
            MemorySegment vecFile = map(disk, dir.resolve(VECTORS), arena, maps);
            MemorySegment graphFile = map(disk, dir.resolve(GRAPH), arena, maps);
            if (onDisk) {
                if (prefault) {
                    // The whole file is read now anyway: 2 MiB folios cost nothing extra and save TLB misses.
                    Advice.advise(vecFile, Advice.HUGEPAGE);
                    Advice.advise(vecFile, Advice.WILLNEED);
                } else {
                    // Read on demand, perhaps larger than memory: 4 KiB per miss, no read-ahead (a
                    // huge-page hint would make every miss read a 2 MiB folio).
                    Advice.advise(vecFile, Advice.RANDOM);
                }
                Advice.advise(graphFile, Advice.RANDOM);
                if (prefault) {
                    vecFile.load();
                }
            } else {
                Advice.advise(vecFile, Advice.SEQUENTIAL);
                vecFile = NativeMemory.allocate(vecFile.byteSize(), 64).copyFrom(vecFile);
                graphFile = NativeMemory.allocate(graphFile.byteSize(), 64).copyFrom(graphFile);
            }
            VectorStore vectors = VectorStore.open(vecFile, true);
            HnswIndex index = HnswGraphFile.open(graphFile, vectors, true);
            MemorySegment[] ids = BlockFile.read(map(disk, dir.resolve(IDS), arena, maps), IDS_MAGIC, dir.resolve(IDS).toString());
            MemorySegment[] payloads = BlockFile.read(map(disk, dir.resolve(PAYLOADS), arena, maps), PAYLOADS_MAGIC,
                    dir.resolve(PAYLOADS).toString());
            int n = vectors.size();
            if (ids.length != 4 || ids[0].byteSize() != n || ids[1].byteSize() != 8L * n || ids[3].byteSize() != 4L * n
                    || payloads.length != 2 || payloads[0].byteSize() != 8L * (n + 1)) {
                throw new io.vectorflow.core.store.CorruptFileException(dir + ": ids or payloads do not match the " + n + " vectors");
            }
            BloomFilter bloom = BloomFilter.over(BlockFile.read(map(disk, dir.resolve(BLOOM), arena, maps), BloomFilter.MAGIC,
                    dir.resolve(BLOOM).toString())[0]);
            SealedSegment seg = new SealedSegment(number, dir, arena, Collections.unmodifiableList(maps), vectors, index, ids,
                    payloads, bloom);
            seg.inPlace = onDisk;
            for (int o = 0; o < n; o++) {
                if (index.isDeleted(o)) {
                    seg.deleted.incrementAndGet(); // deleted before the seal: recorded in the graph file
                }
            }
            if (deletesFile != null) {
                Path file = dir.resolve(deletesFile);
                try (Arena tmp = Arena.ofConfined(); FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
                    MemorySegment bits = BlockFile.read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), tmp),
                            DELETES_MAGIC, file.toString())[0];
                    for (int o = 0; o < n; o++) {
                        if ((bits.get(I64, 8L * (o >>> 6)) >>> (o & 63) & 1) != 0) {
                            seg.delete(o);
                        }
                    }
                }
                seg.deletesDirty = false;
            }
            return seg;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment map(Disk disk, Path file, Arena arena, List<MemorySegment> maps) throws IOException {
        try (FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            maps.add(m);
            return m;
        }
    }

    /** Writes the current delete bits to {@code dir/fileName} and forces it. */
    public void writeDeletes(Disk disk, String fileName) throws IOException {
        int n = size();
        ByteBuffer bits = ByteBuffer.allocate(8 * ((n + 63) / 64)).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < n; o++) {
            if (index.isDeleted(o)) {
                int word = 8 * (o >>> 6);
                bits.putLong(word, bits.getLong(word) | 1L << (o & 63));
            }
        }
        disk.delete(dir.resolve(fileName));
        BlockFile.write(disk, dir.resolve(fileName), DELETES_MAGIC, bits);
        deletesDirty = false;
    }

    /** Whether points were deleted since the delete bits were last written or read. */
    public boolean deletesDirty() {
        return deletesDirty;
    }

    public long number() {
        return number;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Whether vectors and graph are searched in place in the file mappings (so the page cache
     * decides what is in memory), rather than from a copy loaded at open.
     */
    public boolean searchesInPlace() {
        return inPlace;
    }

    /**
     * Evicts this segment's file pages from memory (mapping and page cache), so the next search
     * reads them from disk: for cold-read benchmarks and tests. The mappings are switched to
     * on-demand reads of 4 KiB pages without read-ahead, as for a segment opened without
     * prefaulting (otherwise a freshly sealed segment's huge-page hint would read 2 MiB per
     * miss). Returns whether every call succeeded; a no-op returning false for a segment loaded
     * into memory.
     */
    public boolean dropPageCache() {
        if (!inPlace) {
            return false;
        }
        Advice.advise(mappings.get(0), Advice.NOHUGEPAGE);
        Advice.advise(mappings.get(0), Advice.RANDOM);
        String[] files = {VECTORS, GRAPH, IDS, PAYLOADS};
        boolean ok = true;
        for (int i = 0; i < files.length; i++) {
            ok &= Advice.dropPageCache(mappings.get(i), dir.resolve(files[i]));
        }
        return ok;
    }

    /** The file mappings (each {@link MemorySegment#isMapped()}), for inspection and tests. */
    public List<MemorySegment> mappings() {
        return mappings;
    }

    @Override
    public int size() {
        return vectors.size();
    }

    @Override
    public int liveCount() {
        return size() - deleted.get();
    }

    @Override
    public PointId id(int ordinal) {
        boolean uuid = kinds.get(ValueLayout.JAVA_BYTE, ordinal) == 1;
        return new PointId(uuid, highs.get(I64, 8L * ordinal), lows.get(I64, 8L * ordinal));
    }

    @Override
    public byte[] payload(int ordinal) {
        long from = payloadOffsets.get(I64, 8L * ordinal);
        long to = payloadOffsets.get(I64, 8L * ordinal + 8);
        return payloadBytes.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public float[] vector(int ordinal) {
        return vectors.get(ordinal);
    }

    @Override
    public boolean delete(int ordinal) {
        if (!index.markDeleted(ordinal)) {
            return false;
        }
        deleted.incrementAndGet();
        deletesDirty = true;
        return true;
    }

    @Override
    public int find(PointId id) {
        if (!bloom.mightContain(id)) {
            return -1;
        }
        // An id replaced while its segment was still mutable appears more than once (the older
        // copies deleted), so look at every entry with this id.
        for (int pos = lowerBound(id); pos < size(); pos++) {
            int ord = sorted.get(I32, 4L * pos);
            if (!id(ord).equals(id)) {
                break;
            }
            if (!isDeleted(ord)) {
                return ord;
            }
        }
        return -1;
    }

    /** The first position in the sorted ordinals whose id is at or after {@code id}. */
    private int lowerBound(PointId id) {
        int lo = 0, hi = size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (id(sorted.get(I32, 4L * mid)).compareTo(id) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public HnswIndex index() {
        return index;
    }

    @Override
    public VectorStore vectors() {
        return vectors;
    }

    @Override
    public PrimitiveIterator.OfInt ordinalsInIdOrder(PointId from) {
        int start = from == null ? 0 : lowerBound(from);
        return new PrimitiveIterator.OfInt() {
            int pos = advance(start);

            private int advance(int p) {
                while (p < size() && isDeleted(sorted.get(I32, 4L * p))) {
                    p++;
                }
                return p;
            }

            @Override
            public boolean hasNext() {
                return pos < size();
            }

            @Override
            public int nextInt() {
                if (pos >= size()) {
                    throw new NoSuchElementException();
                }
                int ord = sorted.get(I32, 4L * pos);
                pos = advance(pos + 1);
                return ord;
            }
        };
    }

    /** False when this segment certainly holds no point with this id (its Bloom filter says so). */
    public boolean mightContain(PointId id) {
        return bloom.mightContain(id);
    }

    /** Bytes of this segment's files. */
    public long bytesOnDisk() {
        return mappings.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    /** Unmaps the files; searches still running on this segment fail rather than read freed memory. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
