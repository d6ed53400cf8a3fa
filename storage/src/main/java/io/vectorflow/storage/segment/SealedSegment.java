package io.vectorflow.storage.segment;

import io.vectorflow.core.hnsw.HnswGraphFile;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.sparse.SparseIndex;
import io.vectorflow.core.sparse.SparsePostings;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.core.store.NativeMemory;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.storage.PointId;
import io.vectorflow.storage.io.Advice;
import io.vectorflow.storage.io.BlockFile;
import io.vectorflow.storage.io.BufferedSection;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.tier.ColdVectors;
import io.vectorflow.storage.tier.Remote;
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
 *   <li>With more than one kind of vector ({@link VectorLayout}): for each dense slot i ≥ 1,
 *       {@code vectors-<i>.f32} and {@code graph-<i>.hnsw} as above (an ordinal whose point
 *       lacks the vector holds zeros and is left out of the graph); {@code absent.bin}, a
 *       {@link BlockFile} (magic {@code 0x42414656}, "VFAB") with one section per dense slot of
 *       bits set for points lacking that vector (i64 words as for deletes; an empty section when
 *       none does); and for each sparse slot j, {@code sparse-<j>.idx}, its inverted index
 *       ({@link SparseIndex} documents the format), and {@code sparse-<j>.fwd}, a
 *       {@link BlockFile} (magic {@code 0x46534656}, "VFSF") with each point's vector: n + 1
 *       entry offsets (i64), the entries' dimension ids (i32) and values (f32), and bits set for
 *       points that have a vector (i64 words).
 *   <li>{@code quantized.bin}, {@code quantized-<i>.bin}: quantized codes of a dense slot, when
 *       the collection asks for them ({@link SegmentCodes}).
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
    static final int ABSENT_MAGIC = 0x42414656;
    static final int SPARSE_MAGIC = 0x46534656;
    public static final String ABSENT = "absent.bin";
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long number;
    private final Path dir;
    private final Arena arena;
    private final List<MemorySegment> mappings;
    private final List<Path> mappedFiles;
    private final long fileBytes;
    private final VectorStore vectors;
    private final HnswIndex index;
    private final MemorySegment kinds, highs, lows, sorted;
    private final MemorySegment payloadOffsets, payloadBytes;
    private final BloomFilter bloom;
    private final Extra extra;
    private final AtomicInteger deleted = new AtomicInteger();
    private volatile boolean deletesDirty;
    private boolean[] inPlace;
    private final SegmentCodes codes;
    /** Per dense slot, its vectors in the object tier, or null where they are local. */
    private ColdVectors[] cold;
    private io.vectorflow.storage.tier.Remote remote;

    /**
     * Every dense slot's vectors and graph (slot 0 first), the absent bits per dense slot (null
     * where no point lacks it), and per sparse slot its index and its forward sections.
     */
    record Extra(VectorStore[] stores, HnswIndex[] indexes, MemorySegment[] absent, SparseIndex[] sparse,
                         MemorySegment[][] forward) {}

    private SealedSegment(long number, Path dir, Loader files, Extra extra, MemorySegment[] ids,
                          MemorySegment[] payloads, BloomFilter bloom) {
        this.number = number;
        this.dir = dir;
        this.arena = files.arena;
        this.mappings = List.copyOf(files.maps);
        this.mappedFiles = List.copyOf(files.mapped);
        this.fileBytes = files.bytes;
        this.extra = extra;
        this.vectors = extra.stores[0];
        this.index = extra.indexes[0];
        this.kinds = ids[0];
        this.highs = ids[1];
        this.lows = ids[2];
        this.sorted = ids[3];
        this.payloadOffsets = payloads[0];
        this.payloadBytes = payloads[1];
        this.bloom = bloom;
        this.codes = new SegmentCodes(dir, files.arena, extra.stores.length);
    }

    /** The segment's quantized codes ({@link SegmentCodes}). */
    public SegmentCodes codes() {
        return codes;
    }

    /** Writes the files of {@code segment} into {@code dir} (which exists and is empty) and forces each. */
    public static void write(Disk disk, Path dir, Segment segment) throws IOException {
        write(disk, dir, segment, segment::payload);
    }

    /**
     * Writes the files of {@code segment} into {@code dir}, the payload of ordinal {@code o}
     * being {@code payloads.apply(o)} (a merge streams them from the segments it merges rather
     * than holding them in memory).
     */
    public static void write(Disk disk, Path dir, Segment segment, java.util.function.IntFunction<byte[]> payloads)
            throws IOException {
        int n = segment.size();
        try (FileChannel ch = disk.open(dir.resolve(VECTORS), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            segment.vectors().writeTo(ch);
            ch.force(true);
        }
        try (FileChannel ch = disk.open(dir.resolve(GRAPH), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HnswGraphFile.write(segment.index(), ch);
            ch.force(true);
        }
        if (segment.vectorSlots() > 1 || segment.sparseSlots() > 0) {
            SlotFiles.write(disk, dir, segment);
        }
        // Ids: three columns and the ordinals in id order, each streamed (a segment may hold millions).
        long[] msb = new long[n];
        long[] lsb = new long[n];
        byte[] kind = new byte[n];
        for (int o = 0; o < n; o++) {
            PointId id = segment.id(o);
            kind[o] = (byte) (id.uuid() ? 1 : 0);
            msb[o] = id.msb();
            lsb[o] = id.lsb();
        }
        int[] order = IdOrder.sort(kind, msb, lsb);
        BlockFile.write(disk, dir.resolve(IDS), IDS_MAGIC, BlockFile.Section.of(ByteBuffer.wrap(kind)),
                column(n, 8, (out, o) -> out.putLong(msb[o])), column(n, 8, (out, o) -> out.putLong(lsb[o])),
                column(n, 4, (out, o) -> out.putInt(order[o])));
        long[] total = {0};
        for (int o = 0; o < n; o++) {
            total[0] += payloads.apply(o).length;
        }
        long payloadBytes = total[0];
        BlockFile.write(disk, dir.resolve(PAYLOADS), PAYLOADS_MAGIC, column(n + 1, 8, new ColumnWriter() {
            long offset;

            @Override
            public void put(BufferedSection out, int o) throws IOException {
                out.putLong(offset);
                if (o < n) {
                    offset += payloads.apply(o).length;
                }
            }
        }), new BlockFile.Section() {
            @Override
            public long length() {
                return payloadBytes;
            }

            @Override
            public void writeTo(io.vectorflow.core.store.ChecksummedWriter w) throws IOException {
                BufferedSection out = new BufferedSection(w);
                for (int o = 0; o < n; o++) {
                    out.put(payloads.apply(o));
                }
                out.flush();
            }
        });
        Iterable<PointId> ids = () -> java.util.stream.IntStream.range(0, n).mapToObj(segment::id).iterator();
        BlockFile.write(disk, dir.resolve(BLOOM), BloomFilter.MAGIC, BloomFilter.build(ids, n));
    }

    /** Writes the value of one ordinal into a column. */
    @FunctionalInterface
    interface ColumnWriter {
        void put(BufferedSection out, int ordinal) throws IOException;
    }

    /** A section of {@code count} fixed-width values, streamed through a buffer. */
    static BlockFile.Section column(int count, int width, ColumnWriter values) {
        return new BlockFile.Section() {
            @Override
            public long length() {
                return (long) count * width;
            }

            @Override
            public void writeTo(io.vectorflow.core.store.ChecksummedWriter w) throws IOException {
                BufferedSection out = new BufferedSection(w);
                for (int o = 0; o < count; o++) {
                    values.put(out, o);
                }
                out.flush();
            }
        };
    }

    /**
     * Opens and checks a segment's files. Files smaller than {@value #MAP_THRESHOLD} bytes are
     * read into memory rather than mapped, so a collection of many small segments costs no
     * mappings (the process has a limited number, {@code vm.max_map_count}) and no open files.
     *
     * @param deletesFile the delete-bits file the manifest names, or null
     * @param prefault    with {@code onDisk}: read every vector page now (hot segments) rather than on first touch
     * @param onDisk      search the vectors and graph in place in the mapped files (the page cache
     *                    decides what is in memory; the collection can outgrow RAM); otherwise read
     *                    them at open into off-heap memory on 2 MiB pages, which searches faster
     *                    where the kernel cannot back file mappings with huge pages
     * @throws io.vectorflow.core.store.CorruptFileException naming the damaged file
     */
    public static SealedSegment open(Disk disk, Path dir, long number, String deletesFile, boolean prefault,
                                     boolean onDisk) throws IOException {
        return open(disk, dir, number, deletesFile, prefault, new boolean[] {onDisk}, 0);
    }

    /**
     * {@link #open(Disk, Path, long, String, boolean, boolean)} for a segment of
     * {@code onDisk.length} dense vector slots, each searched in place or loaded as its entry
     * says, and {@code sparseSlots} sparse ones.
     */
    public static SealedSegment open(Disk disk, Path dir, long number, String deletesFile, boolean prefault,
                                     boolean[] onDisk, int sparseSlots) throws IOException {
        return open(disk, dir, number, deletesFile, prefault, onDisk, sparseSlots, null);
    }

    /**
     * {@link #open(Disk, Path, long, String, boolean, boolean[], int)} for a segment in the object
     * tier when {@code remote} is set: its float vectors are objects under {@code remote}'s prefix
     * and no local vectors file is read; everything else (graphs, codes, ids, payloads) is local.
     * Such a segment is searched by walking its graph on quantized codes and reading only the
     * rescoring candidates' vectors ({@link #cold(int)}); its {@link #vectors(int)} stores hold no
     * data. An archived one ({@link Remote#archived()}) cannot read its vectors until restored.
     */
    public static SealedSegment open(Disk disk, Path dir, long number, String deletesFile, boolean prefault,
                                     boolean[] onDisk, int sparseSlots, Remote remote) throws IOException {
        int vectorSlots = onDisk.length;
        Loader files = new Loader(disk);
        try {
            VectorStore[] stores = new VectorStore[vectorSlots];
            HnswIndex[] indexes = new HnswIndex[vectorSlots];
            ColdVectors[] cold = new ColdVectors[vectorSlots];
            for (int slot = 0; slot < vectorSlots; slot++) {
                if (remote != null) {
                    MemorySegment graph = onDisk[slot] ? files.map(dir.resolve(graphFile(slot))) : files.read(dir.resolve(graphFile(slot)));
                    int[] shape = HnswGraphFile.shape(graph);
                    stores[slot] = VectorStore.absent(shape[0], shape[1]);
                    indexes[slot] = HnswGraphFile.open(graph, stores[slot], true);
                    cold[slot] = remote.archived() ? null
                            : new ColdVectors(remote.store(), remote.cache(), remote.key(vectorsFile(slot)), shape[0], shape[1]);
                    continue;
                }
                MemorySegment[] pair = vectorFiles(files, dir.resolve(vectorsFile(slot)), dir.resolve(graphFile(slot)),
                        prefault, onDisk[slot]);
                stores[slot] = VectorStore.open(pair[0], true);
                indexes[slot] = HnswGraphFile.open(pair[1], stores[slot], true);
                if (stores[slot].size() != stores[0].size()) {
                    throw new io.vectorflow.core.store.CorruptFileException(dir + ": " + vectorsFile(slot) + " holds "
                            + stores[slot].size() + " vectors, " + VECTORS + " " + stores[0].size());
                }
            }
            VectorStore vectors = stores[0];
            HnswIndex index = indexes[0];
            SealedSegment.Extra extra = vectorSlots == 1 && sparseSlots == 0 ? new Extra(stores, indexes, new MemorySegment[1], new SparseIndex[0],
                    new MemorySegment[0][]) : SlotFiles.open(files, dir, stores, indexes, sparseSlots);
            MemorySegment[] ids = files.checked(dir.resolve(IDS), IDS_MAGIC);
            MemorySegment[] payloads = files.checked(dir.resolve(PAYLOADS), PAYLOADS_MAGIC);
            int n = vectors.size();
            if (ids.length != 4 || ids[0].byteSize() != n || ids[1].byteSize() != 8L * n || ids[3].byteSize() != 4L * n
                    || payloads.length != 2 || payloads[0].byteSize() != 8L * (n + 1)) {
                throw new io.vectorflow.core.store.CorruptFileException(dir + ": ids or payloads do not match the " + n + " vectors");
            }
            BloomFilter bloom = BloomFilter.over(files.checked(dir.resolve(BLOOM), BloomFilter.MAGIC)[0]);
            if (files.maps.isEmpty()) {
                files.arena.close(); // nothing mapped: no mapping and no open file is held for this segment
            }
            SealedSegment seg = new SealedSegment(number, dir, files, extra, ids, payloads, bloom);
            seg.inPlace = onDisk.clone();
            seg.remote = remote;
            seg.cold = cold;
            for (int o = 0; o < n; o++) {
                if (index.isDeleted(o)) {
                    seg.deleted.incrementAndGet(); // deleted before the seal: recorded in the graph file
                }
            }
            if (deletesFile != null) {
                Path file = dir.resolve(deletesFile);
                MemorySegment bits = BlockFile.read(read(disk, file), DELETES_MAGIC, file.toString())[0];
                for (int o = 0; o < n; o++) {
                    if ((bits.get(I64, 8L * (o >>> 6)) >>> (o & 63) & 1) != 0) {
                        seg.delete(o);
                    }
                }
                seg.deletesDirty = false;
            }
            return seg;
        } catch (IOException | RuntimeException e) {
            if (files.arena.scope().isAlive()) {
                files.arena.close();
            }
            throw e;
        }
    }

    /** The vectors file of a dense slot. */
    public static String vectorsFile(int slot) {
        return slot == 0 ? VECTORS : "vectors-" + slot + ".f32";
    }

    /** The graph file of a dense slot. */
    public static String graphFile(int slot) {
        return slot == 0 ? GRAPH : "graph-" + slot + ".hnsw";
    }

    /** Every file of a segment with these slots, but the delete bits. */
    public static List<String> files(int vectorSlots, int sparseSlots) {
        List<String> out = new ArrayList<>(List.of(IDS, PAYLOADS, BLOOM));
        for (int slot = 0; slot < vectorSlots; slot++) {
            out.add(vectorsFile(slot));
            out.add(graphFile(slot));
        }
        if (vectorSlots > 1 || sparseSlots > 0) {
            out.add(ABSENT);
            for (int j = 0; j < sparseSlots; j++) {
                out.add(SlotFiles.sparseIndexFile(j));
                out.add(SlotFiles.sparseVectorsFile(j));
            }
        }
        return out;
    }

    /** A dense slot's vectors and graph files, mapped or read as {@code onDisk} says. */
    private static MemorySegment[] vectorFiles(Loader files, Path vectorsPath, Path graphPath, boolean prefault, boolean onDisk)
            throws IOException {
        MemorySegment vecFile;
        MemorySegment graphFile;
        {
            if (onDisk) {
                vecFile = files.map(vectorsPath);
                graphFile = files.map(graphPath);
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
                vecFile = files.read(vectorsPath);
                graphFile = files.read(graphPath);
            }
        }
        return new MemorySegment[] {vecFile, graphFile};
    }

    /** Files below this size are read into memory rather than mapped. */
    static final long MAP_THRESHOLD = 1 << 20;

    /** What opening a segment's files produced: the mappings (and their files) and the bytes read. */
    static final class Loader {
        final Disk disk;
        final Arena arena = Arena.ofShared();
        final List<MemorySegment> maps = new ArrayList<>();
        final List<Path> mapped = new ArrayList<>();
        long bytes;

        Loader(Disk disk) {
            this.disk = disk;
        }

        /** A file mapped (at least {@link #MAP_THRESHOLD} bytes) or read into native memory. */
        MemorySegment load(Path file) throws IOException {
            long size;
            try (FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
                size = ch.size();
            }
            return size < MAP_THRESHOLD ? read(file) : map(file);
        }

        MemorySegment map(Path file) throws IOException {
            try (FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                maps.add(m);
                mapped.add(file);
                bytes += m.byteSize();
                return m;
            }
        }

        MemorySegment read(Path file) throws IOException {
            MemorySegment m = SealedSegment.read(disk, file);
            bytes += m.byteSize();
            return m;
        }

        /**
         * The sections of a block file, loaded and its checksum verified. Verifying reads every
         * page of a mapped file; the pages are then let go from this process's resident set
         * (they stay in the page cache), so a collection's payloads and ids are resident only
         * where reads touch them.
         */
        MemorySegment[] checked(Path file, int magic) throws IOException {
            MemorySegment m = load(file);
            MemorySegment[] sections = BlockFile.read(m, magic, file.toString());
            if (m.isMapped()) {
                Advice.advise(m, Advice.DONTNEED);
            }
            return sections;
        }
    }

    /** Reads a whole file into native memory (freed by the garbage collector). */
    private static MemorySegment read(Disk disk, Path file) throws IOException {
        try (FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment target = NativeMemory.allocate(size, 64);
            for (long pos = 0; pos < size; ) {
                int chunk = (int) Math.min(1 << 30, size - pos);
                ByteBuffer b = target.asSlice(pos, chunk).asByteBuffer();
                while (b.hasRemaining()) {
                    if (ch.read(b, pos + b.position()) < 0) {
                        throw new java.io.EOFException(file + " ended early");
                    }
                }
                pos += chunk;
            }
            return target;
        }
    }

    /** Bit o set where {@code set.test(o)}, for o below {@code n}: i64 words, little-endian. */
    static ByteBuffer bits(int n, java.util.function.IntPredicate set) {
        ByteBuffer b = ByteBuffer.allocate(8 * ((n + 63) / 64)).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < n; o++) {
            if (set.test(o)) {
                int word = 8 * (o >>> 6);
                b.putLong(word, b.getLong(word) | 1L << (o & 63));
            }
        }
        return b;
    }

    /** Writes the current delete bits to {@code dir/fileName} and forces it. */
    public void writeDeletes(Disk disk, String fileName) throws IOException {
        ByteBuffer bits = bits(size(), index::isDeleted);
        disk.delete(dir.resolve(fileName));
        BlockFile.write(disk, dir.resolve(fileName), DELETES_MAGIC, bits);
        deletesDirty = false;
    }

    /** Marks the delete bits as needing a write again (a manifest naming the last write failed). */
    public void markDeletesDirty() {
        deletesDirty = true;
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
        return searchesInPlace(0);
    }

    /** {@link #searchesInPlace()} for a dense slot. */
    public boolean searchesInPlace(int slot) {
        return inPlace[slot] && remote == null;
    }

    /** Where this segment's float vectors are when it is in the object tier; null when local. */
    public Remote remote() {
        return remote;
    }

    /** Bytes of this segment's float vectors over every dense slot, wherever they are. */
    public long vectorBytes() {
        long sum = 0;
        for (VectorStore v : extra.stores) {
            sum += (long) v.size() * v.stride();
        }
        return sum;
    }

    /** Whether this segment's float vectors are not local: in the object tier or archived. */
    public boolean isCold() {
        return remote != null;
    }

    /** Whether this segment's float vectors are archived (compressed objects, restored before use). */
    public boolean isArchived() {
        return remote != null && remote.archived();
    }

    /** A dense slot's vectors in the object tier, or null when they are local or archived. */
    public ColdVectors cold(int slot) {
        return cold[slot];
    }

    @Override
    public float[] vector(int slot, int ordinal) {
        if (isArchived()) {
            throw new io.vectorflow.storage.tier.TierUnavailableException("segment " + number + " is archived: restore it"
                    + " (SegmentTiers.promote) before reading its vectors", null);
        }
        if (cold[slot] == null) {
            return Segment.super.vector(slot, ordinal);
        }
        return hasVector(slot, ordinal) ? cold[slot].get(ordinal, null) : null;
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
        if (!searchesInPlace(0)) {
            return false;
        }
        Advice.advise(mappings.get(0), Advice.NOHUGEPAGE);
        Advice.advise(mappings.get(0), Advice.RANDOM);
        boolean ok = true;
        for (int i = 0; i < mappings.size(); i++) {
            if (!mappedFiles.get(i).getFileName().toString().equals(BLOOM)) {
                ok &= Advice.dropPageCache(mappings.get(i), mappedFiles.get(i));
            }
        }
        return ok;
    }

    /**
     * Asks the kernel to start reading this segment's mapped vectors and graphs into the page
     * cache now ({@code madvise(WILLNEED)}, returns at once), so the searches that follow a
     * recent one find them in memory. Returns whether it asked; false for a segment with nothing
     * searched in place.
     */
    public boolean prewarm() {
        boolean any = false;
        for (int i = 0; i < mappings.size(); i++) {
            String name = mappedFiles.get(i).getFileName().toString();
            if (name.startsWith("vectors") || name.startsWith("graph")) {
                any |= Advice.advise(mappings.get(i), Advice.WILLNEED);
            }
        }
        return any;
    }

    /**
     * The file mappings (each {@link MemorySegment#isMapped()}), vectors first when they are
     * searched in place; files under {@value #MAP_THRESHOLD} bytes are read, not mapped.
     */
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
    public int vectorSlots() {
        return extra.stores.length;
    }

    @Override
    public HnswIndex graph(int slot) {
        return extra.indexes[slot];
    }

    @Override
    public VectorStore vectors(int slot) {
        return extra.stores[slot];
    }

    @Override
    public boolean hasVector(int slot, int ordinal) {
        MemorySegment bits = extra.absent[slot];
        return bits == null || (bits.get(I64, 8L * (ordinal >>> 6)) >>> (ordinal & 63) & 1) == 0;
    }

    @Override
    public boolean everyHasVector(int slot) {
        return extra.absent[slot] == null;
    }

    @Override
    public int sparseSlots() {
        return extra.sparse.length;
    }

    @Override
    public SparseVector sparse(int slot, int ordinal) {
        return SlotFiles.sparseVector(extra.forward[slot], ordinal);
    }

    @Override
    public SparsePostings sparseIndex(int slot) {
        return extra.sparse[slot];
    }

    @Override
    public boolean delete(int ordinal) {
        if (!index.markDeleted(ordinal)) {
            return false;
        }
        for (int i = 1; i < extra.indexes.length; i++) {
            extra.indexes[i].markDeleted(ordinal);
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

    /**
     * Adds what this segment holds to {@code usage}: in RAM, the vectors and graphs copied at
     * open, the graphs' upper levels and delete bits, codes kept in RAM, and the sections of
     * small files read rather than mapped; on disk, each of its files by kind.
     */
    public void addUsage(io.vectorflow.storage.MemoryUsage usage) {
        for (int slot = 0; slot < extra.stores.length; slot++) {
            HnswIndex g = extra.indexes[slot];
            long level0 = (long) g.vectors().size() * (1 + 2L * g.params().m()) * 4;
            usage.ram("vectors", inPlace[slot] || cold[slot] != null ? 0 : extra.stores[slot].segment().byteSize());
            usage.ram("graph", g.graphBytesUsed() - (inPlace[slot] ? level0 : 0));
        }
        usage.ram("quantized_vectors", codes.bytesInMemory());
        usage.ram("payloads", ramOf(payloadOffsets) + ramOf(payloadBytes));
        usage.ram("id_map", ramOf(kinds) + ramOf(highs) + ramOf(lows) + ramOf(sorted) + bloom.bytesInMemory());
        for (MemorySegment[] f : extra.forward) {
            for (MemorySegment section : f) {
                usage.ram("sparse_vectors", ramOf(section));
            }
        }
        for (SparseIndex si : extra.sparse) {
            usage.ram("sparse_vectors", si.bytes());
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                String component = name.startsWith("vectors") ? "vectors" : name.startsWith("graph") ? "graph"
                        : name.startsWith("quantized") ? "quantized_vectors" : name.startsWith("payloads") ? "payloads"
                        : name.startsWith("sparse") ? "sparse_vectors" : "id_map";
                usage.disk(component, java.nio.file.Files.size(f));
            }
        } catch (IOException e) {
            // compacted away meanwhile: its files count as gone
        }
    }

    private static long ramOf(MemorySegment section) {
        return section == null || section.isMapped() ? 0 : section.byteSize();
    }

    /** Bytes of this segment's files (counted when it was opened or written). */
    public long bytesOnDisk() {
        return fileBytes;
    }

    /** Payload bytes this segment holds (what compaction weighs beside the point count). */
    public long payloadBytes() {
        return payloadBytes.byteSize();
    }

    /**
     * Unmaps the mapped files; searches still running on this segment fail rather than read freed
     * memory (what was read into memory is freed by the garbage collector once unreachable).
     */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
