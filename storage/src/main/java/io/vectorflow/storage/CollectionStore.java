package io.vectorflow.storage;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import io.vectorflow.storage.wal.WriteAheadLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The storage engine of one collection: a write-ahead log, one mutable segment and any number of
 * sealed, memory-mapped segments, tied together by the {@link Manifest}.
 *
 * <h2>Write path</h2>
 * A write is encoded and appended to the {@link WriteAheadLog}; once the log acknowledges it
 * (forced, with group commit, under {@link Durability#FSYNC}) it is applied to memory in
 * sequence-number order: the point is stored in the mutable segment and any older version of the
 * same id is marked deleted. The call returns after that, so a point is visible to {@code find}
 * and to search the moment its write returns, and only writes that are durable ever become
 * visible. Linking points into the graph happens behind the writes, on {@code indexThreads}
 * indexer threads; searches scan the not-yet-indexed tail exactly, so fresh points are always
 * found.
 *
 * <h2>Backpressure</h2>
 * The tail of stored but not yet indexed points is bounded by {@code maxUnindexed}. From half of
 * it on, a write first waits (up to a second) for the indexers to catch up; at the bound it is
 * refused with an {@link OverloadedException} before anything is written.
 *
 * <h2>Seal</h2>
 * When the mutable segment is full (and at a clean close) it is written into
 * {@code segments/<n>.tmp/}, each file forced, the directory renamed to {@code segments/<n>/}, the
 * changed delete bits of older segments written, and a new manifest published; only then is the
 * log trimmed. A crash at any step leaves the previous manifest in force, and the leftovers (a
 * {@code .tmp} directory, an unnamed segment or delete file) are removed at the next open.
 *
 * <h2>Open</h2>
 * Read the manifest, map and check the sealed segments, replay the log records after
 * {@code sealed-through} into a fresh mutable segment. No sealed graph is rebuilt. A damaged log
 * (other than a torn tail, which is cut) leaves the collection readable but read-only, with the
 * reason in {@link #readOnlyReason()}; a damaged segment makes the open fail with a message
 * naming the file.
 */
public final class CollectionStore implements Closeable {

    private static final System.Logger LOG = System.getLogger(CollectionStore.class.getName());
    /**
     * Retired (compacted-away) segments stay mapped this long, so reads that took the view before
     * the swap finish on them; every read takes a fresh view, and none lasts minutes.
     */
    private static final long RETIRE_AFTER_MINUTES = 10;
    /** Closes retired segments after {@link #RETIRE_AFTER_MINUTES}. */
    private static final java.util.concurrent.ScheduledExecutorService RETIRE =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("segment-retire").factory());
    private static final byte UPSERT = 1;
    private static final byte DELETE = 2;

    /**
     * How a collection stores its points.
     *
     * @param segmentCapacity   points per segment: the mutable segment seals when it holds this many
     * @param asyncFlushMillis  how often the log is forced under {@link Durability#ASYNC}
     * @param indexThreads      indexer threads that link stored points into the graph
     * @param maxUnindexed      bound on points stored but not yet in the graph (see Backpressure)
     * @param prefault          with {@code onDisk}, read sealed vectors into the page cache at open
     * @param onDisk            search sealed segments in place in their mapped files rather than
     *                          copying vectors and graph into memory at open (see {@link SealedSegment#open})
     * @param compactionMbPerSecond  limit on compaction's write rate, 0 for none ({@link Compactor})
     * @param autoCompact       compact in the background after seals and at open (otherwise only {@link #compact()})
     */
    public record Options(int dimension, Metric metric, HnswParams hnsw, int segmentCapacity, Durability durability,
                          long asyncFlushMillis, int indexThreads, boolean prefault, boolean onDisk, int maxUnindexed,
                          double compactionMbPerSecond, boolean autoCompact) {
        public Options {
            if (dimension < 1 || dimension > 65_536) {
                throw new IllegalArgumentException("dimension must be between 1 and 65536: " + dimension);
            }
            if (segmentCapacity < 1) {
                throw new IllegalArgumentException("segment capacity must be positive: " + segmentCapacity);
            }
            if (indexThreads < 1) {
                throw new IllegalArgumentException("index threads must be positive: " + indexThreads);
            }
            if (maxUnindexed < 2) {
                throw new IllegalArgumentException("the unindexed-points bound must be at least 2: " + maxUnindexed);
            }
        }
    }

    /** A point to write: its id, its vector as given (the metric prepares it), its payload as UTF-8 JSON (may be empty). */
    public record PointRecord(PointId id, float[] vector, byte[] payload) {}

    /** Where a live point is. */
    public record Location(Segment segment, int ordinal) {}

    /** What readers search: the mutable segment and the sealed ones, newest first. */
    public record View(MutableSegment mutable, List<SealedSegment> sealed) {
        /** Every segment, newest (the mutable one) first. */
        public List<Segment> all() {
            List<Segment> all = new ArrayList<>(sealed.size() + 1);
            all.add(mutable);
            all.addAll(sealed);
            return all;
        }
    }

    private final Disk disk;
    private final Path dir;
    private final Options options;
    private final ReentrantLock applyLock = new ReentrantLock();
    private final Condition turn = applyLock.newCondition();
    /** Indexer threads wait here for work; writers and seals wait here for indexing progress. */
    private final Object indexSignal = new Object();
    private int runningIndexers;
    private volatile boolean stopIndexers;
    private WriteAheadLog wal;
    private volatile View view;
    private Manifest manifest;
    /** Number for the next segment written, by a seal or a compaction. */
    private final java.util.concurrent.atomic.AtomicLong nextSegment;
    private final Compactor compactor;
    private final List<SealedSegment> retired = java.util.Collections.synchronizedList(new ArrayList<>());
    private long appliedSeq;
    private boolean replaying;
    private volatile String readOnlyReason;
    private volatile boolean closed;

    private CollectionStore(Disk disk, Path dir, Options options, Manifest manifest, List<SealedSegment> sealed) {
        this.disk = disk;
        this.dir = dir;
        this.options = options;
        this.manifest = manifest;
        this.nextSegment = new java.util.concurrent.atomic.AtomicLong(manifest.nextSegment());
        this.view = new View(newMutable(), List.copyOf(sealed));
        this.compactor = new Compactor(this);
    }

    private MutableSegment newMutable() {
        return new MutableSegment(options.dimension(), options.metric(), options.hnsw(), options.segmentCapacity());
    }

    /**
     * Opens (or creates) the collection stored in {@code dir}.
     *
     * @throws StorageException when a sealed segment or the manifest is damaged, naming the file
     */
    public static CollectionStore open(Disk disk, Path dir, Options options) throws IOException {
        Path segments = dir.resolve("segments");
        if (!Files.isDirectory(segments)) {
            disk.createDirectories(segments);
            disk.syncDirectory(dir);
        }
        Manifest manifest;
        try {
            manifest = Manifest.read(dir);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open the collection in " + dir + ": " + e.getMessage(), e);
        }
        removeLeftovers(disk, dir, manifest);
        List<SealedSegment> sealed = new ArrayList<>();
        try {
            for (Manifest.Entry e : manifest.segments()) {
                sealed.add(SealedSegment.open(disk, segments.resolve(Long.toString(e.number())), e.number(),
                        e.deletesFile(), options.prefault(), options.onDisk()));
            }
        } catch (IOException | RuntimeException e) {
            sealed.forEach(SealedSegment::close);
            throw new StorageException("cannot open the collection in " + dir + ": segment "
                    + (manifest.segments().size() > sealed.size() ? manifest.segments().get(sealed.size()).number() : "?")
                    + " is damaged or missing (" + e.getMessage() + "); restore it from a snapshot or drop the collection", e);
        }
        sealed = new ArrayList<>(sealed.reversed());
        CollectionStore store = new CollectionStore(disk, dir, options, manifest, sealed);
        store.replaying = true; // indexer threads start with the first replayed write
        try {
            store.wal = WriteAheadLog.open(disk, dir.resolve("wal"), options.durability(), options.asyncFlushMillis(),
                    manifest.sealedThrough(), (seq, payload) -> store.apply(seq, payload));
        } catch (IOException | RuntimeException e) {
            store.closeSegments();
            throw e;
        }
        store.replaying = false;
        store.appliedSeq = store.wal.recovery().lastSeq();
        if (store.wal.recovery().damage() != null) {
            store.readOnlyReason = "the write-ahead log is damaged: " + store.wal.recovery().damage();
        } else if (options.autoCompact()) {
            store.compactor.wake();
        }
        return store;
    }

    /** Deletes what a crash can leave behind: unfinished segment directories, unnamed segments and delete files. */
    private static void removeLeftovers(Disk disk, Path dir, Manifest manifest) throws IOException {
        disk.delete(dir.resolve(Manifest.FILE + ".tmp"));
        Set<String> named = new HashSet<>();
        Set<String> deletes = new HashSet<>();
        for (Manifest.Entry e : manifest.segments()) {
            named.add(Long.toString(e.number()));
            if (e.deletesFile() != null) {
                deletes.add(e.number() + "/" + e.deletesFile());
            }
        }
        Path segments = dir.resolve("segments");
        try (Stream<Path> s = Files.list(segments)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!named.contains(name)) {
                    disk.deleteTree(p);
                    continue;
                }
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.toList()) {
                        String fn = f.getFileName().toString();
                        if (fn.startsWith("deletes-") && !deletes.contains(name + "/" + fn) || fn.endsWith(".tmp")) {
                            disk.delete(f);
                        }
                    }
                }
            }
        }
    }

    public Options options() {
        return options;
    }

    /** The segments to read; a consistent snapshot that stays valid while used. */
    public View view() {
        return view;
    }

    /** Why the collection takes no writes, or null when it does. */
    public String readOnlyReason() {
        return readOnlyReason;
    }

    /** What replaying the log found at open. */
    public WriteAheadLog.Recovery recovery() {
        return wal.recovery();
    }

    /** The live point with this id, or null. */
    public Location find(PointId id) {
        View v = view;
        int ord = v.mutable().find(id);
        if (ord >= 0) {
            return new Location(v.mutable(), ord);
        }
        for (SealedSegment s : v.sealed()) {
            ord = s.find(id);
            if (ord >= 0) {
                return new Location(s, ord);
            }
        }
        // A replacement appends the new version before deleting the old one: if the old one was
        // deleted after we looked at the mutable segment, the new one is there now.
        View now = view;
        if (now == v) {
            ord = now.mutable().find(id);
            return ord >= 0 ? new Location(now.mutable(), ord) : null;
        }
        ord = now.mutable().find(id); // a seal swapped the view meanwhile: look through the new one
        if (ord >= 0) {
            return new Location(now.mutable(), ord);
        }
        for (SealedSegment s : now.sealed()) {
            ord = s.find(id);
            if (ord >= 0) {
                return new Location(s, ord);
            }
        }
        return null;
    }

    /** Inserts or replaces points; returns once they are acknowledged (durable) and visible. */
    public void upsert(List<PointRecord> points) {
        if (points.isEmpty()) {
            return;
        }
        ByteBuffer record = encodeUpsert(points);
        write(record);
    }

    /** Deletes points by id; returns how many existed. */
    public int delete(List<PointId> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        ByteBuffer record = ByteBuffer.allocate(5 + 17 * ids.size()).order(ByteOrder.LITTLE_ENDIAN);
        record.put(DELETE).putInt(ids.size());
        ids.forEach(id -> putId(record, id));
        return write(record.flip());
    }

    private int write(ByteBuffer record) {
        checkWritable();
        awaitIndexingBacklog();
        long seq;
        try {
            seq = wal.append(record);
        } catch (StorageException e) {
            readOnlyReason = e.getMessage();
            throw e;
        }
        applyLock.lock();
        try {
            while (appliedSeq != seq - 1) {
                turn.awaitUninterruptibly();
            }
            try {
                if (closed) {
                    throw new StorageException("the collection in " + dir + " was closed while this write waited;"
                            + " it is in the log and will be applied when the collection is opened again");
                }
                return apply(seq, record.rewind());
            } catch (RuntimeException e) {
                if (!closed) {
                    readOnlyReason = "applying a write failed: " + e;
                }
                throw e instanceof StorageException se ? se : new StorageException("applying a write failed: " + e, e);
            } finally {
                appliedSeq = seq;
                turn.signalAll();
            }
        } finally {
            applyLock.unlock();
        }
    }

    private void checkWritable() {
        if (closed) {
            throw new StorageException("the collection in " + dir + " is closed");
        }
        String reason = readOnlyReason;
        if (reason != null) {
            throw new StorageException("the collection is read-only: " + reason);
        }
    }

    private ByteBuffer encodeUpsert(List<PointRecord> points) {
        int dim = options.dimension();
        long size = 9;
        for (PointRecord p : points) {
            if (p.vector().length != dim) {
                throw new IllegalArgumentException("point " + p.id() + ": vector has dimension " + p.vector().length
                        + ", the collection has " + dim);
            }
            size += 17 + 4L * dim + 4 + p.payload().length;
        }
        if (size > WriteAheadLog.MAX_RECORD) {
            throw new IllegalArgumentException("batch of " + size + " bytes is over the limit of " + WriteAheadLog.MAX_RECORD);
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(UPSERT).putInt(points.size()).putInt(dim);
        for (PointRecord p : points) {
            putId(b, p.id());
            b.asFloatBuffer().put(p.vector()); // bulk copy; the view shares b's byte order
            b.position(b.position() + 4 * dim);
            b.putInt(p.payload().length).put(p.payload());
        }
        return b.flip();
    }

    private static void putId(ByteBuffer b, PointId id) {
        b.put((byte) (id.uuid() ? 1 : 0)).putLong(id.msb()).putLong(id.lsb());
    }

    private static PointId getId(ByteBuffer b) {
        boolean uuid = b.get() == 1;
        return new PointId(uuid, b.getLong(), b.getLong());
    }

    /** Applies one log record to memory (live or during replay); returns points affected. */
    private int apply(long seq, ByteBuffer record) {
        record.order(ByteOrder.LITTLE_ENDIAN);
        byte op = record.get();
        int count = record.getInt();
        if (op == DELETE) {
            int deleted = 0;
            for (int i = 0; i < count; i++) {
                Location loc = find(getId(record));
                if (loc != null && loc.segment().delete(loc.ordinal())) {
                    deleted++;
                }
            }
            return deleted;
        }
        int dim = record.getInt();
        for (int i = 0; i < count; i++) {
            PointId id = getId(record);
            float[] v = new float[dim];
            record.asFloatBuffer().get(v);
            record.position(record.position() + 4 * dim);
            byte[] payload = new byte[record.getInt()];
            record.get(payload);
            if (view.mutable().isFull()) {
                seal(seq - 1);
            }
            Location old = find(id);
            view.mutable().append(id, options.metric().prepare(v), payload);
            if (old != null) {
                old.segment().delete(old.ordinal());
            }
            if ((i & 255) == 255) {
                wakeIndexers();
            }
        }
        wakeIndexers();
        return count;
    }

    /** Starts indexer threads up to {@code indexThreads} and wakes idle ones: there is new work. */
    private void wakeIndexers() {
        synchronized (indexSignal) {
            indexSignal.notifyAll();
            wakeIndexersLocked();
        }
    }

    /**
     * An indexer thread: claim the next stored point of the mutable segment, link it into the
     * graph, tell waiters; exit after a second with nothing to do (a write starts it again).
     */
    private void indexLoop() {
        while (true) {
            MutableSegment m = view.mutable();
            int ordinal = m.claimForIndexing();
            if (ordinal < 0) {
                synchronized (indexSignal) {
                    if (!stopIndexers && !view.mutable().hasUnclaimed()) {
                        try {
                            indexSignal.wait(1000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (stopIndexers || !view.mutable().hasUnclaimed()) {
                        runningIndexers--;
                        return;
                    }
                }
                continue;
            }
            try {
                m.index(ordinal);
            } catch (RuntimeException | Error e) {
                readOnlyReason = "indexing point " + ordinal + " failed: " + e;
                LOG.log(System.Logger.Level.ERROR, "indexing failed in " + dir, e);
            }
            synchronized (indexSignal) {
                indexSignal.notifyAll();
            }
        }
    }

    /** Waits until every point of {@code m} is in its graph (before it is sealed). */
    private void awaitIndexed(MutableSegment m) {
        wakeIndexers();
        synchronized (indexSignal) {
            while (m.unindexed() > 0 && readOnlyReason == null) {
                try {
                    indexSignal.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted while waiting for indexing", e);
                }
                wakeIndexersLocked();
            }
        }
    }

    private void wakeIndexersLocked() {
        while (runningIndexers < options.indexThreads() && !stopIndexers) {
            runningIndexers++;
            Thread.ofPlatform().daemon().name("indexer-" + dir.getFileName() + "-" + runningIndexers).start(this::indexLoop);
        }
    }

    /** Backpressure: slows a write while indexing is far behind, refuses it at the bound. */
    private void awaitIndexingBacklog() {
        int bound = options.maxUnindexed();
        if (view.mutable().unindexed() < bound / 2) {
            return;
        }
        long deadline = System.nanoTime() + 1_000_000_000L;
        synchronized (indexSignal) {
            while (view.mutable().unindexed() >= bound / 2 && System.nanoTime() < deadline) {
                try {
                    indexSignal.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int behind = view.mutable().unindexed();
        if (behind >= bound) {
            throw new OverloadedException("overloaded: indexing is " + behind + " points behind (bound " + bound
                    + "); nothing was written, retry after a short wait");
        }
    }

    /** Waits until every point written so far is in the mutable segment's graph. */
    public void awaitIndexing() {
        awaitIndexed(view.mutable());
    }

    /** Points stored in the mutable segment but not yet known to be in its graph. */
    public int unindexedPoints() {
        return view.mutable().unindexed();
    }

    /** Seals the mutable segment now if it holds any points (normally it seals when full). */
    public void flush() {
        checkWritable();
        applyLock.lock();
        try {
            checkWritable();
            seal(appliedSeq);
        } finally {
            applyLock.unlock();
        }
    }

    /**
     * Writes the mutable segment as a sealed one and publishes it (apply lock held). Every log
     * record up to {@code sealedThrough} is then in sealed segments.
     */
    private void seal(long sealedThrough) {
        View v = view;
        MutableSegment m = v.mutable();
        boolean deletesOnly = m.size() == 0;
        if (deletesOnly && v.sealed().stream().noneMatch(SealedSegment::deletesDirty)) {
            return;
        }
        long number = deletesOnly ? -1 : nextSegment.getAndIncrement();
        SealedSegment created = null;
        try {
            List<SealedSegment> sealed = new ArrayList<>(v.sealed().size() + 1);
            if (!deletesOnly) {
                awaitIndexed(m);
                if (m.unindexed() > 0) {
                    throw new StorageException("indexing did not finish (" + readOnlyReason + ")");
                }
                created = writeSegment(m, number);
                sealed.add(created);
            }
            sealed.addAll(v.sealed());
            publish(sealed, sealedThrough);
            if (created != null) {
                view = new View(newMutable(), List.copyOf(sealed));
            }
        } catch (IOException | RuntimeException e) {
            if (created != null && view.sealed().stream().noneMatch(x -> x.number() == number)) {
                created.close();
            }
            readOnlyReason = "sealing segment " + number + " failed: " + e;
            throw new StorageException("sealing segment " + number + " in " + dir + " failed: " + e
                    + "; the collection is read-only until reopened (nothing acknowledged is lost)", e);
        }
        if (!replaying) {
            wal.roll(sealedThrough);
            if (options.autoCompact()) {
                compactor.wake();
            }
        }
    }

    /**
     * Writes {@code m} (fully indexed) as segment {@code number}: connectivity repair, files into
     * {@code segments/<n>.tmp/} each forced, the directory renamed and its parent forced; returns
     * it opened, with {@code m}'s deletes applied. Not yet in the manifest.
     */
    SealedSegment writeSegment(MutableSegment m, long number) throws IOException {
        Path segments = dir.resolve("segments");
        Path tmp = segments.resolve(number + ".tmp");
        Path target = segments.resolve(Long.toString(number));
        m.index().connectComponents();
        disk.deleteTree(tmp);
        disk.createDirectories(tmp);
        SealedSegment.write(disk, tmp, m);
        disk.syncDirectory(tmp);
        disk.move(tmp, target);
        disk.syncDirectory(segments);
        SealedSegment created = SealedSegment.open(disk, target, number, null, true, options.onDisk());
        for (int o = 0; o < m.size(); o++) {
            if (m.isDeleted(o)) {
                created.delete(o);
            }
        }
        return created;
    }

    /**
     * Publishes a new manifest naming {@code newestFirst} (writing delete bits that changed first);
     * apply lock held. Obsolete delete files are removed after.
     */
    void publish(List<SealedSegment> newestFirst, long sealedThrough) throws IOException {
        long generation = manifest.generation() + 1;
        List<Manifest.Entry> entries = new ArrayList<>();
        List<Path> obsolete = new ArrayList<>();
        for (SealedSegment s : newestFirst.reversed()) {
            String deletes = deletesFileOf(s);
            if (s.deletesDirty()) {
                if (deletes != null) {
                    obsolete.add(s.directory().resolve(deletes));
                }
                deletes = "deletes-" + generation + ".bin";
                s.writeDeletes(disk, deletes);
                disk.syncDirectory(s.directory());
            }
            entries.add(new Manifest.Entry(s.number(), s.size(), deletes));
        }
        Manifest next = new Manifest(generation, sealedThrough, nextSegment.get(), entries);
        next.write(disk, dir);
        manifest = next;
        for (Path p : obsolete) {
            disk.delete(p);
        }
    }

    private String deletesFileOf(SealedSegment s) {
        for (Manifest.Entry e : manifest.segments()) {
            if (e.number() == s.number()) {
                return e.deletesFile();
            }
        }
        return null;
    }

    long reserveSegmentNumber() {
        return nextSegment.getAndIncrement();
    }

    boolean closedOrReadOnly() {
        return closed || readOnlyReason != null;
    }

    /**
     * Swaps a compaction's output in for its inputs (see {@link Compactor}): carries over deletes
     * made during the merge, publishes the manifest, swaps the view, retires the inputs. Returns
     * false, deleting the output, when the collection closed or turned read-only meanwhile.
     */
    boolean commitCompaction(List<SealedSegment> inputs, int[][] moved, SealedSegment output) throws IOException {
        applyLock.lock();
        try {
            if (closedOrReadOnly() || !view.sealed().containsAll(inputs)) {
                output.close();
                disk.deleteTree(output.directory());
                return false;
            }
            for (int g = 0; g < inputs.size(); g++) {
                for (int ord = 0; ord < moved[g].length; ord++) {
                    if (moved[g][ord] >= 0 && inputs.get(g).isDeleted(ord)) {
                        output.delete(moved[g][ord]);
                    }
                }
            }
            View v = view;
            List<SealedSegment> next = new ArrayList<>();
            boolean placed = false;
            for (SealedSegment s : v.sealed()) {
                if (!inputs.contains(s)) {
                    next.add(s);
                } else if (!placed) {
                    next.add(output);
                    placed = true;
                }
            }
            try {
                publish(next, manifest.sealedThrough());
            } catch (IOException | RuntimeException e) {
                readOnlyReason = "publishing a compaction failed: " + e;
                throw e;
            }
            view = new View(v.mutable(), List.copyOf(next));
        } finally {
            applyLock.unlock();
        }
        for (SealedSegment s : inputs) {
            retired.add(s);
            RETIRE.schedule(() -> {
                if (retired.remove(s)) {
                    s.close();
                }
            }, RETIRE_AFTER_MINUTES, java.util.concurrent.TimeUnit.MINUTES);
            try {
                disk.deleteTree(s.directory()); // unlinking mapped files is safe; the mappings live on
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete compacted segment " + s.directory() + ": " + e
                        + "; the next open removes it");
            }
        }
        return true;
    }

    /**
     * Writes a point-in-time copy of the collection's files into {@code target} (a new directory):
     * seals whatever is in memory, then, with writes held for the moment it takes, hard-links the
     * manifest and every file it names. Writes resume before {@code target} is forced.
     */
    public void snapshot(Path target) throws IOException {
        checkWritable();
        applyLock.lock();
        try {
            checkWritable();
            seal(appliedSeq);
            Files.createDirectories(target);
            Snapshots.linkOrCopy(dir.resolve(Manifest.FILE), target.resolve(Manifest.FILE));
            for (Manifest.Entry e : manifest.segments()) {
                Path from = dir.resolve("segments").resolve(Long.toString(e.number()));
                Path to = target.resolve("segments").resolve(Long.toString(e.number()));
                for (String f : List.of(SealedSegment.VECTORS, SealedSegment.GRAPH, SealedSegment.IDS, SealedSegment.PAYLOADS,
                        SealedSegment.BLOOM)) {
                    Snapshots.linkOrCopy(from.resolve(f), to.resolve(f));
                }
                if (e.deletesFile() != null) {
                    Snapshots.linkOrCopy(from.resolve(e.deletesFile()), to.resolve(e.deletesFile()));
                }
            }
        } finally {
            applyLock.unlock();
        }
    }

    /** Runs compaction now on the calling thread until nothing is worth merging; returns the merges done. */
    public int compact() throws IOException {
        compactor.awaitIdle();
        int merges = 0;
        while (!closedOrReadOnly() && compactor.runOnce()) {
            merges++;
        }
        return merges;
    }

    /** Waits for a background compaction pass to finish. */
    public void awaitCompaction() {
        compactor.awaitIdle();
    }

    /** Bytes of the collection's files: sealed segments, log and manifest. */
    /**
     * Counters since open, for metrics: log bytes appended, group-commit forces and their total
     * time, compactions committed and the bytes they wrote.
     */
    public record Stats(long walBytes, long walForces, long walForceNanos, long compactions, long compactionBytes) {}

    public Stats stats() {
        WriteAheadLog w = wal;
        return new Stats(w == null ? 0 : w.bytesAppended(), w == null ? 0 : w.forces(), w == null ? 0 : w.forceNanos(),
                compactor.merges(), compactor.bytesWritten());
    }

    public long bytesOnDisk() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Closes the collection: waits for writes in flight, seals the mutable segment (so the next
     * open replays nothing) unless the collection is read-only, forces and closes the log, and
     * unmaps the segments.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        compactor.awaitIdle();
        synchronized (compactor) {
            // a compact() on another thread holds this while it merges; it stops early once closed
        }
        applyLock.lock();
        try {
            if (readOnlyReason == null && wal.isWritable()) {
                try {
                    seal(appliedSeq);
                } catch (StorageException e) {
                    // the log still holds every acknowledged write; the next open replays it
                }
            }
            wal.close();
        } finally {
            applyLock.unlock();
        }
        stopIndexers = true;
        synchronized (indexSignal) {
            indexSignal.notifyAll();
        }
        closeSegments();
    }

    private void closeSegments() {
        view.sealed().forEach(SealedSegment::close);
        synchronized (retired) {
            retired.forEach(SealedSegment::close);
            retired.clear();
        }
    }
}
