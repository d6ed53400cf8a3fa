package io.vectorflow.storage;

import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import io.vectorflow.storage.segment.VectorLayout;
import io.vectorflow.storage.wal.WriteAheadLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage engine of one collection: a write-ahead log, one mutable segment taking writes,
 * frozen segments being sealed, and any number of sealed, memory-mapped segments, tied together
 * by the {@link Manifest}.
 *
 * <h2>Write path</h2>
 * A write is encoded ({@link Records}) and appended to the {@link WriteAheadLog}; once the log
 * acknowledges it (forced, with group commit, under {@link Durability#FSYNC}) it is applied to
 * memory in sequence-number order. Applying an upsert first makes room for the whole batch in the
 * mutable segment (the one step that allocates), then stores every point and makes them visible
 * at once, then marks older versions of the same ids deleted; if the room cannot be had (memory
 * is exhausted) nothing is applied, an ABORT record makes replay skip the write too, and the
 * caller is told, so a batch is never half applied. The call returns after that: a point is
 * visible to {@code find} and to search the moment its write returns, and only writes that are
 * durable ever become visible. Linking points into the graph happens behind the writes, on the
 * shared index threads ({@link Indexer}); searches scan the not-yet-indexed tail exactly, so
 * fresh points are always found.
 *
 * <h2>Backpressure</h2>
 * The tail of stored but not yet indexed points is bounded by {@code maxUnindexed}. From half of
 * it on, a write first waits (up to a second) for the indexers to catch up; at the bound it is
 * refused with an {@link OverloadedException} before anything is written. Likewise when more than
 * {@value #MAX_FROZEN} frozen segments wait to be sealed.
 *
 * <h2>Freeze and seal</h2>
 * When the mutable segment holds {@code segmentCapacity} points or {@code segmentPayloadBytes}
 * of payload (checked after each write, so a batch is never split), it is frozen: a new mutable
 * segment takes the writes that follow and the log starts a new file, while the frozen one stays
 * searchable in memory and is sealed in the background: once indexed, it is written into
 * {@code segments/<n>.tmp/}, each file forced, the directory renamed to {@code segments/<n>/}, the
 * changed delete bits of older segments written, and a new manifest published naming the last
 * log record the segment holds; only then are log files holding nothing newer deleted. A crash at
 * any step leaves the previous manifest in force, and the leftovers (a {@code .tmp} directory, an
 * unnamed segment or delete file) are removed at the next open. A seal that fails (a full disk)
 * is retried in the background; the frozen segment stays searchable and nothing is lost.
 *
 * <h2>Open</h2>
 * Read the manifest, open and check the sealed segments, replay the log records after
 * {@code sealed-through} (skipping aborted ones) into a fresh mutable segment. No sealed graph is
 * rebuilt. A damaged log (other than a torn tail, which is cut) leaves the collection readable but
 * read-only, with the reason in {@link #readOnlyReason()}; a damaged segment makes the open fail
 * with a message naming the file. An empty collection holds no thread, no mapping and no open
 * file; the log's directory and first file appear with the first write.
 */
public final class CollectionStore implements Closeable {

    private static final System.Logger LOG = System.getLogger(CollectionStore.class.getName());
    /**
     * Retired (compacted-away) segments stay mapped this long, so reads that took the view before
     * the swap finish on them; every read takes a fresh view, and none lasts minutes.
     */
    private static final long RETIRE_AFTER_MINUTES = 10;
    /** Frozen segments waiting to be sealed before writes are slowed and then refused. */
    static final int MAX_FROZEN = 4;
    /**
     * Fault injection for tests: when set, making room for an upsert of this many points or more
     * fails as an exhausted heap would.
     */
    static volatile int failReservationsFrom = Integer.MAX_VALUE;

    /** Where a live point is. */
    public record Location(Segment segment, int ordinal) {}

    private final Disk disk;
    private final Path dir;
    private final StoreOptions options;
    private final VectorLayout layout;
    private final ReentrantLock applyLock = new ReentrantLock();
    private final Condition turn = applyLock.newCondition();
    private WriteAheadLog wal;
    private volatile SegmentView view;
    private final SegmentFiles files;
    private final Compactor compactor;
    private final Sealer sealer;
    private final Indexer indexer;
    /** The last log record each frozen segment holds (apply lock held). */
    private final Map<MutableSegment, Long> frozenThrough = new IdentityHashMap<>();
    private final List<SealedSegment> retired = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Held while a segment moves between tiers ({@link SegmentTiers}). */
    final Object tierLock = new Object();
    /** Records an ABORT names, collected while the log is scanned at open. */
    private final Set<Long> aborted = new HashSet<>();
    private long appliedSeq;
    private boolean replaying;
    private volatile String readOnlyReason;
    private volatile boolean closed;

    private CollectionStore(Disk disk, Path dir, StoreOptions options, Manifest manifest, List<SealedSegment> sealed) {
        this.disk = disk;
        this.dir = dir;
        this.options = options;
        this.layout = options.layout();
        this.files = new SegmentFiles(disk, dir, manifest, options);
        this.view = new SegmentView(newMutable(), List.of(), List.copyOf(sealed));
        this.compactor = new Compactor(this);
        this.sealer = new Sealer(this);
        this.indexer = new Indexer(this::indexingWork, options.indexThreads(), dir.toString());
    }

    private MutableSegment newMutable() {
        return new MutableSegment(layout);
    }

    /**
     * Opens (or creates) the collection stored in {@code dir}.
     *
     * @throws StorageException when a sealed segment or the manifest is damaged, naming the file
     */
    public static CollectionStore open(Disk disk, Path dir, StoreOptions options) throws IOException {
        Manifest manifest;
        try {
            manifest = Manifest.read(dir);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open the collection in " + dir + ": " + e.getMessage(), e);
        }
        manifest.removeLeftovers(disk, dir);
        List<SealedSegment> sealed = new ArrayList<>(SegmentFiles.openAll(disk, dir, manifest, options).reversed());
        CollectionStore store = new CollectionStore(disk, dir, options, manifest, sealed);
        store.replaying = true;
        try {
            store.wal = WriteAheadLog.open(disk, dir.resolve("wal"), options.durability(), options.asyncFlushMillis(),
                    manifest.sealedThrough(), new WriteAheadLog.Replay() {
                        @Override
                        public void scan(long seq, ByteBuffer stored) {
                            ByteBuffer payload = store.plain(stored);
                            if (Records.type(payload) == Records.ABORT) {
                                store.aborted.add(Records.aborted(payload));
                            }
                        }

                        @Override
                        public void apply(long seq, ByteBuffer stored) {
                            if (!store.aborted.contains(seq)) {
                                store.apply(seq, store.plain(stored));
                            }
                            store.appliedSeq = seq;
                        }
                    });
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            store.indexer.stop();
            store.closeSegments();
            if (e instanceof OutOfMemoryError) {
                throw new StorageException("not enough memory to open the collection in " + dir + " (replaying its log)", e);
            }
            throw e;
        }
        store.replaying = false;
        store.aborted.clear();
        store.appliedSeq = store.wal.recovery().lastSeq();
        if (store.wal.recovery().damage() != null) {
            store.readOnlyReason = "the write-ahead log is damaged: " + store.wal.recovery().damage();
        } else {
            store.sealer.wake();
            if (options.autoCompact()) {
                store.compactor.wake();
            }
        }
        store.indexer.wake();
        return store;
    }

    public StoreOptions options() {
        return options;
    }

    /** The segments to read; a consistent snapshot that stays valid while used. */
    public SegmentView view() {
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
        SegmentView v = view;
        Location found = v.find(id);
        if (found != null) {
            return found;
        }
        // A replacement appends the new version before deleting the old one, and a freeze or a
        // seal moves segments between the lists: look again through the view as it is now.
        SegmentView now = view;
        return now == v ? now.findInMutable(id) : now.find(id);
    }

    /** Inserts or replaces points; returns once they are acknowledged (durable) and visible. */
    public void upsert(List<PointRecord> points) {
        if (points.isEmpty()) {
            return;
        }
        write(Records.upsert(points, layout, maxRecord(options)));
    }

    /** Deletes points by id, as one durable write; returns how many existed. */
    public int delete(List<PointId> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return write(Records.delete(ids, maxRecord(options)));
    }

    /** A record as the log holds it, decrypted when it is encrypted. */
    private ByteBuffer plain(ByteBuffer stored) {
        return options.encryption() == null ? io.vectorflow.storage.crypto.Encryption.openWithoutKey(stored)
                : options.encryption().open(stored);
    }

    /** Largest record a write may build: the log's limit, less what encryption adds. */
    private static int maxRecord(StoreOptions options) {
        return WriteAheadLog.MAX_RECORD - (options.encryption() == null ? 0 : io.vectorflow.storage.crypto.Encryption.OVERHEAD);
    }

    private int write(ByteBuffer record) {
        checkWritable();
        awaitBacklog();
        long seq;
        try {
            seq = wal.append(options.encryption() == null ? record : options.encryption().seal(record));
        } catch (DiskFullException e) {
            throw e; // nothing was written; the log takes writes again once there is space
        } catch (StorageException e) {
            readOnlyReason = e.getMessage();
            throw e;
        }
        boolean noRoom = false;
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
                int affected = apply(seq, record.rewind());
                maybeFreeze(seq);
                return affected;
            } catch (OutOfMemoryError e) {
                noRoom = true; // nothing was applied; cancelled in the log below, in its own turn
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
        if (noRoom) {
            abort(seq);
        }
        throw new OverloadedException("not enough memory to apply this write (" + record.capacity()
                + " bytes) to the collection in " + dir + "; nothing was written, retry with a smaller batch or later");
    }

    /**
     * Makes replay skip record {@code seq}, which reached the log but could not be applied: an
     * ABORT record, written and applied (as nothing) like any other write.
     */
    private void abort(long seq) {
        try {
            write(Records.abort(seq));
        } catch (RuntimeException e) {
            readOnlyReason = "a write that could not be applied could not be cancelled in the log either (" + e
                    + "); reopen the collection";
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
        Throwable indexing = indexer.failure();
        if (indexing != null) {
            readOnlyReason = "indexing failed: " + indexing;
            throw new StorageException("the collection is read-only: " + readOnlyReason);
        }
    }

    /**
     * Applies one log record to memory (live or during replay; apply lock held); returns points
     * affected. Everything that allocates happens before the first change.
     *
     * @throws OutOfMemoryError before anything changed, when room for the write cannot be had
     */
    private int apply(long seq, ByteBuffer record) {
        byte type = Records.type(record);
        if (type == Records.ABORT) {
            return 0;
        }
        if (type == Records.DELETE) {
            List<PointId> ids = Records.ids(record);
            List<Location> found = new ArrayList<>(ids.size());
            for (PointId id : ids) {
                Location loc = find(id);
                if (loc != null) {
                    found.add(loc);
                }
            }
            int deleted = 0;
            for (Location loc : found) {
                if (loc.segment().delete(loc.ordinal())) {
                    deleted++;
                }
            }
            return deleted;
        }
        if (type != Records.UPSERT && type != Records.VECTORS) {
            throw new StorageException("unknown log record type " + type + " at sequence number " + seq);
        }
        // Room first: decode, prepare vectors, keep the last version of each id, find the versions
        // they replace, reserve space in the mutable segment. Nothing has changed yet.
        List<PointRecord> points = Records.points(record);
        Map<PointId, Integer> last = new HashMap<>(points.size() * 2);
        for (int i = 0; i < points.size(); i++) {
            last.put(points.get(i).id(), i);
        }
        int n = last.size();
        PointRecord[] kept = new PointRecord[n];
        float[][][] prepared = new float[n][][];
        Location[] replaced = new Location[n];
        long payloadBytes = 0;
        int k = 0;
        for (int i = 0; i < points.size(); i++) {
            PointRecord p = points.get(i);
            if (last.get(p.id()) == i) {
                kept[k] = p;
                prepared[k] = prepare(p);
                replaced[k] = find(p.id());
                payloadBytes += p.payload().length;
                k++;
            }
        }
        MutableSegment m = view.mutable();
        if (n >= failReservationsFrom) {
            throw new OutOfMemoryError("injected: no room for " + n + " points");
        }
        boolean[] lacking = new boolean[layout.dense().size()];
        SparseVector[][] sparse = layout.sparse() == 0 ? null : new SparseVector[n][];
        for (int i = 0; i < n; i++) {
            for (int slot = 0; slot < lacking.length; slot++) {
                lacking[slot] |= prepared[i][slot] == null;
            }
            if (sparse != null) {
                sparse[i] = kept[i].sparse();
            }
        }
        m.reserve(n, payloadBytes, lacking, sparse);
        // Then the change, which allocates nothing: store, make visible at once, retire old versions.
        for (int i = 0; i < n; i++) {
            m.write(kept[i].id(), prepared[i], kept[i].sparse(), kept[i].payload());
        }
        m.publish();
        for (Location old : replaced) {
            if (old != null) {
                old.segment().delete(old.ordinal());
            }
        }
        indexer.wake();
        return points.size();
    }

    /** Every dense vector of a point in its slot's prepared form (null where the point lacks it). */
    private float[][] prepare(PointRecord p) {
        float[][] out = new float[layout.dense().size()][];
        for (int slot = 0; slot < out.length; slot++) {
            float[] v = p.dense(slot);
            out[slot] = v == null ? null : layout.dense().get(slot).metric().prepare(v);
        }
        return out;
    }

    /** Freezes the mutable segment when it is full, after the write {@code seq} (apply lock held). */
    private void maybeFreeze(long seq) {
        MutableSegment m = view.mutable();
        if (m.size() >= options.segmentCapacity() || m.payloadBytes() >= options.segmentPayloadBytes()) {
            freeze(seq);
        }
    }

    /**
     * Makes the mutable segment frozen (apply lock held): a new one takes the writes after
     * {@code through}, the log starts a new file, and the sealer is woken.
     */
    private void freeze(long through) {
        SegmentView v = view;
        MutableSegment m = v.mutable();
        if (m.size() == 0) {
            return;
        }
        List<MutableSegment> frozen = new ArrayList<>(v.frozen().size() + 1);
        frozen.add(m);
        frozen.addAll(v.frozen());
        frozenThrough.put(m, through);
        view = new SegmentView(newMutable(), List.copyOf(frozen), v.sealed());
        if (!replaying) {
            wal.roll(); // false on a full disk: the log goes on in the same file, trimmed later
            sealer.wake();
        }
    }

    /** The oldest frozen segment and the last log record it holds, or null when none waits. */
    record Frozen(MutableSegment segment, long through) {}

    Frozen oldestFrozen() {
        applyLock.lock();
        try {
            List<MutableSegment> frozen = view.frozen();
            if (frozen.isEmpty()) {
                return null;
            }
            MutableSegment m = frozen.getLast();
            return new Frozen(m, frozenThrough.get(m));
        } finally {
            applyLock.unlock();
        }
    }

    /** Waits until every point of {@code m} is in its graph, at most until {@code deadlineNanos}. */
    boolean awaitIndexed(MutableSegment m, long deadlineNanos) {
        return indexer.await(() -> m.unindexed() == 0, deadlineNanos);
    }

    /**
     * Publishes a sealed segment written from frozen segment {@code f}: carries over deletes made
     * while it was written, writes the manifest, swaps the view, trims the log. Returns false,
     * changing nothing, when the collection closed or turned read-only meanwhile.
     */
    boolean commitSeal(Frozen f, SealedSegment created) throws IOException {
        applyLock.lock();
        try {
            SegmentView v = view;
            if (readOnlyReason != null || !v.frozen().contains(f.segment())) {
                return false;
            }
            MutableSegment m = f.segment();
            for (int o = 0; o < m.size(); o++) {
                if (m.isDeleted(o)) {
                    created.delete(o);
                }
            }
            List<SealedSegment> sealed = new ArrayList<>(v.sealed().size() + 1);
            sealed.add(created);
            sealed.addAll(v.sealed());
            files.publish(sealed, f.through());
            List<MutableSegment> frozen = new ArrayList<>(v.frozen());
            frozen.remove(m);
            frozenThrough.remove(m);
            view = new SegmentView(v.mutable(), List.copyOf(frozen), List.copyOf(sealed));
        } finally {
            applyLock.unlock();
        }
        wal.trim(f.through());
        if (options.autoCompact()) {
            compactor.wake();
        }
        return true;
    }

    /** The segment an index task should claim points from next: the oldest in-memory one with some. */
    private MutableSegment indexingWork() {
        SegmentView v = view;
        for (int i = v.frozen().size() - 1; i >= 0; i--) {
            if (v.frozen().get(i).hasUnclaimed()) {
                return v.frozen().get(i);
            }
        }
        return v.mutable().hasUnclaimed() ? v.mutable() : null;
    }

    /** Backpressure: slows a write while indexing or sealing is far behind, refuses it at the bound. */
    private void awaitBacklog() {
        int bound = options.maxUnindexed();
        if (unindexedPoints() < bound / 2 && view.frozen().size() < MAX_FROZEN) {
            return;
        }
        indexer.await(() -> unindexedPoints() < bound / 2 && view.frozen().size() < MAX_FROZEN,
                System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        int behind = unindexedPoints();
        if (behind >= bound) {
            throw new OverloadedException("overloaded: indexing is " + behind + " points behind (bound " + bound
                    + "); nothing was written, retry after a short wait");
        }
        if (view.frozen().size() > MAX_FROZEN) {
            throw new OverloadedException("overloaded: " + view.frozen().size() + " full segments are waiting to be written"
                    + " to disk; nothing was written, retry after a short wait");
        }
    }

    /** Waits until every point written so far is in its segment's graph. */
    public void awaitIndexing() {
        indexer.await(() -> unindexedPoints() == 0, Long.MAX_VALUE);
    }

    /** Points stored in memory but not yet known to be in their segment's graph. */
    public int unindexedPoints() {
        int n = 0;
        for (MutableSegment m : view.inMemory()) {
            n += m.unindexed();
        }
        return n;
    }

    /** Seals everything in memory now, on the calling thread (normally segments seal when full). */
    public void flush() {
        if (!sealAll(Long.MAX_VALUE, false)) {
            throw new StorageException("the collection in " + dir + " could not write its segments: " + sealer.lastFailure());
        }
    }

    /**
     * Freezes the mutable segment and seals every frozen one on the calling thread, waiting at
     * most until {@code deadlineNanos} for their indexing; returns whether all were sealed. With
     * {@code holdWrites}, writes wait until it returns (the caller holds the sealer's lock and
     * the apply lock, in that order, as the background sealer takes them).
     */
    private boolean sealAll(long deadlineNanos, boolean holdWrites) {
        checkWritable();
        if (!sealer.tryLock(deadlineNanos)) {
            return false; // a background seal holds it past the deadline: the log keeps what is in memory
        }
        try {
            applyLock.lock();
            try {
                checkWritable();
                freeze(appliedSeq);
                if (holdWrites) {
                    return sealer.sealAllLocked(deadlineNanos) && recordSealedPoint();
                }
            } finally {
                applyLock.unlock();
            }
            return sealer.sealAllLocked(deadlineNanos) && recordSealedPoint();
        } finally {
            sealer.unlock();
        }
    }

    /**
     * With nothing left in memory, records that every log record applied so far is in the sealed
     * segments (writing delete bits that changed) and trims the log, so the next open replays
     * nothing. Returns true.
     */
    private boolean recordSealedPoint() {
        applyLock.lock();
        try {
            SegmentView v = view;
            if (v.mutable().size() == 0 && v.frozen().isEmpty() && appliedSeq > files.manifest().sealedThrough()) {
                files.publish(v.sealed(), appliedSeq);
                wal.roll();
                wal.trim(appliedSeq);
            }
            return true;
        } catch (IOException e) {
            throw failure("writing delete bits", e);
        } finally {
            applyLock.unlock();
        }
    }

    /** Seals every frozen segment now, on the calling thread; for tests and tools that want segments on disk. */
    public void awaitSealing() {
        sealer.lock();
        try {
            sealer.sealAllLocked(Long.MAX_VALUE);
        } finally {
            sealer.unlock();
        }
    }

    /** A {@link DiskFullException} or {@link StorageException} for a failed step. */
    StorageException failure(String what, IOException e) {
        return DiskFullException.isDiskFull(e) ? DiskFullException.of(dir, what + " failed", e)
                : new StorageException(what + " in " + dir + " failed: " + e, e);
    }

    /** The collection's segment files and the manifest that names them. */
    SegmentFiles files() {
        return files;
    }

    boolean closedOrReadOnly() {
        return closed || readOnlyReason != null;
    }

    Path directory() {
        return dir;
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
            SegmentView v = view;
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
                files.publish(next, files.manifest().sealedThrough());
            } catch (IOException | RuntimeException e) {
                output.close();
                disk.deleteTree(output.directory());
                if (!DiskFullException.isDiskFull(e)) {
                    readOnlyReason = "publishing a compaction failed: " + e;
                }
                throw e;
            }
            view = new SegmentView(v.mutable(), v.frozen(), List.copyOf(next));
        } finally {
            applyLock.unlock();
        }
        for (SealedSegment s : inputs) {
            retire(s);
            try {
                disk.deleteTree(s.directory()); // unlinking mapped files is safe; the mappings live on
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete compacted segment " + s.directory() + ": " + e
                        + "; the next open removes it");
            }
        }
        return true;
    }

    /** Closes {@code s} once searches that may still hold it are long done. */
    private void retire(SealedSegment s) {
        retired.add(s);
        Background.TIMER.schedule(() -> {
            if (retired.remove(s)) {
                s.close();
            }
        }, RETIRE_AFTER_MINUTES, TimeUnit.MINUTES);
    }

    /**
     * Swaps {@code replacement}, the same segment opened with its vectors in another tier, in for
     * {@code old}: carries over deletes made since it was opened, publishes the manifest, swaps
     * the view and retires {@code old} (its directory stays: it is the replacement's). Returns
     * false, closing the replacement, when the collection closed or turned read-only or
     * {@code old} is no longer in it (compacted meanwhile).
     */
    boolean replaceSealed(SealedSegment old, SealedSegment replacement) throws IOException {
        applyLock.lock();
        try {
            SegmentView v = view;
            if (closedOrReadOnly() || !v.sealed().contains(old)) {
                replacement.close();
                return false;
            }
            for (int o = 0; o < old.size(); o++) {
                if (old.isDeleted(o) && !replacement.isDeleted(o)) {
                    replacement.delete(o);
                }
            }
            List<SealedSegment> next = v.sealed().stream().map(s -> s == old ? replacement : s).toList();
            try {
                files.publish(next, files.manifest().sealedThrough());
            } catch (IOException | RuntimeException e) {
                replacement.close();
                throw e;
            }
            view = new SegmentView(v.mutable(), v.frozen(), next);
        } finally {
            applyLock.unlock();
        }
        retire(old);
        return true;
    }

    Disk disk() {
        return disk;
    }

    /**
     * Writes a point-in-time copy of the collection's files into {@code target} (a new directory):
     * seals whatever is in memory, then, with writes held for the moment it takes, hard-links the
     * manifest and every file it names. Writes resume before {@code target} is forced.
     */
    public void snapshot(Path target) throws IOException {
        flush(); // the bulk, while writes go on
        sealer.lock();
        try {
            applyLock.lock();
            try {
                if (!sealAll(Long.MAX_VALUE, true)) { // what slipped in since, with writes held
                    throw new StorageException("the collection in " + dir + " could not write its segments for the snapshot: "
                            + sealer.lastFailure());
                }
                files.linkInto(target);
            } finally {
                applyLock.unlock();
            }
        } finally {
            sealer.unlock();
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

    /** Bytes of the collection's files: sealed segments and log (without walking the directory). */
    public long bytesOnDisk() {
        long bytes = 0;
        for (SealedSegment s : view.sealed()) {
            bytes += s.bytesOnDisk();
        }
        try {
            bytes += wal.sizeOnDisk();
        } catch (IOException e) {
            // counted as none
        }
        return bytes;
    }

    /** What the collection's segments and log hold, per component, in RAM and on disk ({@link MemoryUsage}). */
    public MemoryUsage usage() {
        MemoryUsage usage = new MemoryUsage();
        SegmentView v = view;
        for (MutableSegment m : v.inMemory()) {
            m.addUsage(usage);
        }
        for (SealedSegment s : v.sealed()) {
            s.addUsage(usage);
        }
        try {
            usage.disk("wal", wal.sizeOnDisk());
        } catch (IOException e) {
            // counted as none
        }
        return usage;
    }

    /** Bytes held in memory by the segments not yet sealed (vectors, graphs, ids, payloads). */
    public long bytesInMemory() {
        long bytes = 0;
        for (MutableSegment m : view.inMemory()) {
            bytes += m.bytesInMemory();
        }
        return bytes;
    }

    /**
     * Closes the collection: waits for writes in flight, seals what is in memory if that is done
     * by {@code deadlineNanos} (otherwise the log keeps it, and the next open replays it), forces
     * and closes the log, unmaps the segments.
     */
    public void close(long deadlineNanos) {
        if (closed) {
            return;
        }
        if (readOnlyReason == null && wal.isWritable() && !(view.mutable().size() == 0 && view.frozen().isEmpty())) {
            try {
                sealAll(deadlineNanos, false);
            } catch (StorageException e) {
                // the log still holds every acknowledged write; the next open replays it
            }
        }
        closed = true;
        indexer.stop();
        compactor.awaitIdle();
        synchronized (compactor) {
            // a compact() on another thread holds this while it merges; it stops early once closed
        }
        sealer.awaitIdle();
        applyLock.lock();
        try {
            wal.close();
        } finally {
            applyLock.unlock();
        }
        closeSegments();
    }

    /**
     * Stops every background activity (indexing, sealing, compaction, timed log forces) and lets
     * go of the log without forcing or writing anything more: what a crash leaves behind, for
     * tests that simulate one in-process.
     */
    void halt() {
        closed = true;
        indexer.stop();
        compactor.awaitIdle();
        sealer.awaitIdle();
        wal.halt();
    }

    /**
     * Stops the collection and unmaps its segments without writing anything more: for one being
     * dropped, or a snapshot opened only to check its files.
     */
    public void discard() {
        halt();
        closeSegments();
    }

    /** {@link #close(long)} with no deadline: seals everything in memory first. */
    @Override
    public void close() {
        close(Long.MAX_VALUE);
    }

    private void closeSegments() {
        view.sealed().forEach(SealedSegment::close);
        synchronized (retired) {
            retired.forEach(SealedSegment::close);
            retired.clear();
        }
    }
}
