package io.vectorflow.storage.wal;

import io.vectorflow.storage.Background;
import io.vectorflow.storage.DiskFullException;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.StorageException;
import io.vectorflow.storage.io.Disk;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead log of one collection: every change is appended here, and (with
 * {@link Durability#FSYNC}) acknowledged only once the file has been forced to disk.
 *
 * <h2>Group commit</h2>
 * Appends are written under a lock (a positional write, microseconds). A writer that needs its
 * record durable then waits: if no force is running it becomes the leader, releases the lock,
 * forces the file once for every record written so far, and wakes the others; otherwise it waits
 * for the running force and, if its record came too late for it, for the next. Many concurrent
 * writers therefore share one {@code force()}.
 *
 * <h2>Failure</h2>
 * A write that fails because the disk is full is cut off again (the file truncated back to where
 * the record began) and refused with a {@link DiskFullException}; the log stays usable, so
 * writes succeed again once space is freed. A force that fails because the disk is full fails
 * every write waiting for it; the next append first cuts the file back to the end of the last
 * successful force (nothing after it was acknowledged) and forces that, then goes on. Any other
 * failed write or force leaves the log failed: that append and every later one throw, and
 * nothing after the last successful force is acknowledged. Such an {@code fsync} failure cannot
 * be retried safely (the kernel may have dropped the dirty pages), so the log stays failed until
 * the collection is reopened, which cuts whatever partial record the failure left.
 *
 * <h2>Files and format (little-endian)</h2>
 * The log is a sequence of files {@code <first sequence number, 20 digits>.wal}; a new file is
 * started when the collection freezes a segment for sealing ({@link #roll}), and files whose
 * records are all sealed are deleted ({@link #trim}). Nothing (not even the directory) exists
 * until the first append.
 * <pre>
 * file header, 16 bytes:  magic 0x4C574656 ("VFWL") · version (1) · flags (0; reserved for
 *                         compression and encryption) · reserved (0)
 * record:                 u32 payload length · u32 CRC32C of (sequence number, payload) ·
 *                         u64 sequence number · payload
 * </pre>
 * Sequence numbers start at 1 and increase by one per record across files.
 *
 * <h2>Recovery</h2>
 * {@link #open} reads every record in order twice: first checking each (and handing it to
 * {@link Replay#scan}), then handing those above the sealed point to {@link Replay#apply}. In the last file, the first record that is cut
 * short or fails its checksum ends the log (point-in-time recovery, as PostgreSQL does): it and
 * everything after it is cut off and reported, with a count of the valid-looking records that
 * followed. Those are normal after a power cut, which can persist a later unforced page before an
 * earlier one; nothing acknowledged lies there, since acknowledgement waits for a force that
 * covers every earlier record. An earlier file was forced whole before the log moved on, so an
 * invalid record there is damage to acknowledged data: the log is not cut and the collection
 * opens read-only with the damage reported, unless every record of that file is already sealed,
 * in which case it no longer matters.
 *
 * <h2>Interrupts and threads</h2>
 * Every channel operation of a running log happens on the shared log I/O threads
 * ({@link Background#IO}), never on a caller's: an interrupt of a thread inside
 * {@code FileChannel} I/O closes the channel, which would fail the log for every writer. A caller
 * interrupted while it waits keeps waiting for its own write to finish and returns with its
 * interrupt status set. Under {@link Durability#ASYNC} the forces are scheduled on the shared
 * timer: a log owns no thread.
 */
public final class WriteAheadLog implements Closeable {

    public static final int MAGIC = 0x4C574656;
    public static final int VERSION = 1;
    static final int FILE_HEADER = 16;
    static final int RECORD_HEADER = 16;
    /** Largest payload accepted; a length above it in a file marks damage. */
    public static final int MAX_RECORD = 512 << 20;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Receives replayed records in order. */
    @FunctionalInterface
    public interface Replay {
        /** A record above the sealed point, in order, after every record was {@link #scan}ned. */
        void apply(long seq, ByteBuffer payload);

        /** Every valid record above the sealed point, in order, before any is applied. */
        default void scan(long seq, ByteBuffer payload) {}
    }

    /**
     * What recovery found.
     *
     * @param replayed  records handed to the replay callback
     * @param lastSeq   the last valid sequence number in the log
     * @param cutBytes  bytes of torn tail removed (0 when the log ended cleanly)
     * @param discarded valid-looking records that followed the first invalid one in the cut tail
     * @param damage    a description of damage that prevents writing, or null
     */
    public record Recovery(long replayed, long lastSeq, long cutBytes, int discarded, String damage) {}

    private final Disk disk;
    private final Path dir;
    private final Durability durability;
    private final ReentrantLock lock = new ReentrantLock();
    private final java.util.concurrent.atomic.LongAdder bytesAppended = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder forces = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder forceNanos = new java.util.concurrent.atomic.LongAdder();
    private final Condition forcedCondition = lock.newCondition();
    private final List<Path> files;
    private final Recovery recovery;
    private FileChannel channel;
    private long position;
    /** Bytes of the current file covered by the last successful force. */
    private long durablePosition;
    private long lastSeq;
    private long durableSeq;
    private boolean forcing;
    private Throwable failure;
    /** Whether {@link #failure} is a full disk at force time, which the next append may undo. */
    private boolean failureRecoverable;
    private volatile boolean closed;
    private final long asyncIntervalMillis;
    private ScheduledFuture<?> flusher;

    private WriteAheadLog(Disk disk, Path dir, Durability durability, List<Path> files, Recovery recovery,
                          long asyncIntervalMillis) {
        this.disk = disk;
        this.dir = dir;
        this.durability = durability;
        this.files = files;
        this.recovery = recovery;
        this.lastSeq = recovery.lastSeq();
        this.durableSeq = recovery.lastSeq();
        this.asyncIntervalMillis = asyncIntervalMillis;
    }

    /** Under {@link Durability#ASYNC}, forces the log on the shared timer every interval. */
    private void startFlusher() {
        if (durability == Durability.ASYNC && flusher == null) {
            flusher = Background.TIMER.scheduleWithFixedDelay(() -> {
                try {
                    sync();
                } catch (RuntimeException e) {
                    // the log is failed; appends report it
                }
            }, asyncIntervalMillis, asyncIntervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the log in {@code dir} (which need not exist), replays every record with a sequence
     * number above {@code skipThrough} into {@code replay} (scanning all of them first), cuts a
     * torn tail, and readies the log for appends. When damage prevents writing, the log is
     * returned read-only with the damage in {@link #recovery()}; appends then throw.
     */
    public static WriteAheadLog open(Disk disk, Path dir, Durability durability, long asyncIntervalMillis,
                                     long skipThrough, Replay replay) throws IOException {
        List<Path> files = Files.isDirectory(dir) ? list(dir) : new ArrayList<>();
        long lastSeq = skipThrough;
        long replayed = 0;
        long cut = 0;
        int discarded = 0;
        String damage = null;
        long[] validEnd = new long[files.size()]; // per file, where its checked records end
        // Pass 1: check every record, cut a torn tail, let the caller scan what will be replayed.
        for (int i = 0; i < files.size() && damage == null; i++) {
            Path file = files.get(i);
            boolean last = i == files.size() - 1;
            try (Arena arena = Arena.ofConfined(); FileChannel ch = disk.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                if (size < FILE_HEADER || seg.get(I32, 0) != MAGIC || seg.get(I32, 4) != VERSION) {
                    if (last && (size < FILE_HEADER || seg.get(ValueLayout.JAVA_LONG, 0) == 0 && size == FILE_HEADER)) {
                        cut += size; // a file whose header never reached the disk: start it again
                        rewriteHeader(disk, file);
                        continue;
                    }
                    damage = file.getFileName() + ": bad file header";
                    break;
                }
                long pos = FILE_HEADER;
                while (pos < size) {
                    validEnd[i] = pos;
                    long seq = validRecordAt(seg, pos, size, -1);
                    if (seq < 0 || (seq > skipThrough && seq != lastSeq + 1)) {
                        if (last) {
                            discarded += countValidRecords(seg, pos + 1, size, lastSeq + 1);
                            cut += size - pos;
                            truncate(disk, file, pos);
                        } else if (firstSeq(files.get(i + 1)) - 1 > skipThrough) {
                            damage = file.getFileName() + ": invalid record at byte " + pos
                                    + " in a file that was forced whole; acknowledged writes follow it, so the log was not cut";
                        }
                        break;
                    }
                    int len = seg.get(I32, pos);
                    if (seq > skipThrough) {
                        replay.scan(seq, payloadAt(seg, pos, len));
                    }
                    lastSeq = Math.max(lastSeq, seq);
                    pos += RECORD_HEADER + len;
                    validEnd[i] = pos;
                }
            }
        }
        // Pass 2: apply the records above the sealed point: exactly those pass 1 checked, in order
        // (with damage, the ones before it: the collection then opens read-only with them).
        for (int i = 0; i < files.size(); i++) {
            if (validEnd[i] <= FILE_HEADER) {
                continue;
            }
            try (Arena arena = Arena.ofConfined(); FileChannel ch = disk.open(files.get(i), StandardOpenOption.READ)) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, validEnd[i], arena);
                for (long pos = FILE_HEADER; pos < validEnd[i]; ) {
                    int len = seg.get(I32, pos);
                    long seq = seg.get(I64, pos + 8);
                    if (seq > skipThrough) {
                        replay.apply(seq, payloadAt(seg, pos, len));
                        replayed++;
                    }
                    pos += RECORD_HEADER + len;
                }
            }
        }
        Recovery recovery = new Recovery(replayed, lastSeq, cut, discarded, damage);
        WriteAheadLog wal = new WriteAheadLog(disk, dir, durability, files, recovery, asyncIntervalMillis);
        if (damage == null && !files.isEmpty()) {
            Path tail = files.getLast();
            wal.channel = disk.open(tail, StandardOpenOption.WRITE, StandardOpenOption.READ);
            wal.position = wal.channel.size();
            wal.durablePosition = wal.position;
            wal.startFlusher();
        }
        return wal;
    }

    private static ByteBuffer payloadAt(MemorySegment seg, long pos, int len) {
        return seg.asSlice(pos + RECORD_HEADER, len).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The sequence number of a valid record at {@code pos}, or -1. */
    private static long validRecordAt(MemorySegment seg, long pos, long size, long expectSeq) {
        if (pos + RECORD_HEADER > size) {
            return -1;
        }
        int len = seg.get(I32, pos);
        long seq = seg.get(I64, pos + 8);
        if (len < 0 || len > MAX_RECORD || pos + RECORD_HEADER + len > size || seq <= 0
                || (expectSeq > 0 && seq < expectSeq)) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(seg.asSlice(pos + 8, 8L + len).asByteBuffer());
        return (int) crc.getValue() == seg.get(I32, pos + 4) ? seq : -1;
    }

    /** Valid records with sequence numbers of at least {@code minSeq} starting at or after {@code from}. */
    private static int countValidRecords(MemorySegment seg, long from, long size, long minSeq) {
        int count = 0;
        for (long p = from; p + RECORD_HEADER <= size; p++) {
            if (seg.get(I64, p + 8) >= minSeq && validRecordAt(seg, p, size, minSeq) > 0) {
                count++;
                p += RECORD_HEADER + seg.get(I32, p) - 1;
            }
        }
        return count;
    }

    /** Runs a channel operation on the log's I/O threads and waits for it, uninterruptibly. */
    private <T> T onIoThread(Callable<T> op) throws IOException {
        Future<T> f = Background.IO.submit(op);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case IOException c -> throw c;
                        case RuntimeException c -> throw c;
                        case Error c -> throw c;
                        default -> throw new IOException(e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void truncate(Disk disk, Path file, long size) throws IOException {
        try (FileChannel ch = disk.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        }
    }

    private static void rewriteHeader(Disk disk, Path file) throws IOException {
        try (FileChannel ch = disk.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(header(), 0);
            ch.force(true);
        }
    }

    private static ByteBuffer header() {
        return ByteBuffer.allocate(FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(MAGIC).putInt(VERSION).putInt(0).putInt(0).flip();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.wal")).sorted().toList());
        }
    }

    private static Path fileFor(Path dir, long firstSeq) {
        return dir.resolve(String.format("%020d.wal", firstSeq));
    }

    /** Creates and switches to a new file for records from {@code firstSeq} (lock held), and the directory first if need be. */
    private void startFile(long firstSeq) throws IOException {
        if (!Files.isDirectory(dir)) {
            disk.createDirectories(dir);
            disk.syncDirectory(dir.getParent());
        }
        Path file = fileFor(dir, firstSeq);
        FileChannel ch = disk.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
        ch.write(header(), 0);
        ch.force(true);
        disk.syncDirectory(dir);
        if (channel != null) {
            channel.close();
        }
        channel = ch;
        position = FILE_HEADER;
        durablePosition = FILE_HEADER;
        if (files.isEmpty() || !files.getLast().equals(file)) {
            files.add(file);
        }
    }

    public Recovery recovery() {
        return recovery;
    }

    /** Whether appends are possible (no damage found at open, no lasting failure since). */
    public boolean isWritable() {
        lock.lock();
        try {
            return recovery.damage() == null && (failure == null || failureRecoverable) && !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Highest sequence number written (not necessarily durable in async mode). */
    public long lastSeq() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes appended since open (records with their headers). */
    public long bytesAppended() {
        return bytesAppended.sum();
    }

    /** Group-commit forces since open, and the total time spent in them. */
    public long forces() {
        return forces.sum();
    }

    public long forceNanos() {
        return forceNanos.sum();
    }

    /**
     * Appends one record and returns its sequence number once it is acknowledged: after a force
     * that covers it ({@link Durability#FSYNC}) or once written ({@link Durability#ASYNC}).
     *
     * @throws DiskFullException when the disk is full: nothing of the record was kept, and the
     *         log takes appends again once there is space
     * @throws StorageException if the log is failed, damaged or closed, or this write or its force fails
     */
    public long append(ByteBuffer payload) {
        int len = payload.remaining();
        if (len > MAX_RECORD) {
            throw new IllegalArgumentException("a single write of " + len + " bytes is over the limit of " + MAX_RECORD);
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer body = payload.duplicate();
        lock.lock();
        try {
            checkWritable();
            if (failure != null) {
                recover();
            }
            if (channel == null) {
                startNewFile(lastSeq + 1);
            }
            long seq = lastSeq + 1;
            header.putInt(len).putInt(0).putLong(seq).flip();
            CRC32C crc = new CRC32C();
            crc.update(header.slice(8, 8));
            crc.update(body.duplicate());
            header.putInt(4, (int) crc.getValue());
            FileChannel ch = channel;
            long start = position;
            try {
                position = onIoThread(() -> {
                    ch.position(start);
                    ByteBuffer[] parts = {header, body};
                    while (header.hasRemaining() || body.hasRemaining()) {
                        ch.write(parts);
                    }
                    return start + RECORD_HEADER + len;
                });
            } catch (IOException | RuntimeException e) {
                if (DiskFullException.isDiskFull(e) && cutBack(ch, start)) {
                    throw DiskFullException.of(dir, "the write-ahead log could not grow", e);
                }
                failure = e;
                throw new StorageException("write-ahead log write failed in " + dir + ": " + e
                        + "; this write was not acknowledged and the collection takes no more writes until it is reopened", e);
            }
            bytesAppended.add(RECORD_HEADER + len);
            lastSeq = seq;
            if (durability == Durability.FSYNC) {
                awaitDurable(seq);
            }
            return seq;
        } finally {
            lock.unlock();
        }
    }

    /** Starts the first file (or one after a failed roll); turns a full disk into {@link DiskFullException}. */
    private void startNewFile(long firstSeq) {
        try {
            onIoThread(() -> {
                startFile(firstSeq);
                return null;
            });
            startFlusher();
        } catch (IOException | RuntimeException e) {
            if (DiskFullException.isDiskFull(e)) {
                channel = null;
                throw DiskFullException.of(dir, "the write-ahead log could not start a file", e);
            }
            throw new StorageException("write-ahead log in " + dir + " cannot start a file: " + e, e);
        }
    }

    /** Truncates the current file back to {@code size} after a failed write; false if that failed too. */
    private boolean cutBack(FileChannel ch, long size) {
        try {
            onIoThread(() -> {
                ch.truncate(size);
                return null;
            });
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Undoes a force that failed for want of space (lock held): everything after the last
     * successful force was refused to its writers, so the file is cut back to there and forced.
     */
    private void recover() {
        FileChannel ch = channel;
        long keep = durablePosition;
        try {
            onIoThread(() -> {
                ch.truncate(keep);
                ch.force(false);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            if (DiskFullException.isDiskFull(e)) {
                throw DiskFullException.of(dir, "the write-ahead log cannot be forced", e);
            }
            failureRecoverable = false;
            failure = e;
            throw new StorageException("write-ahead log in " + dir + " could not be recovered after a failed force: " + e, e);
        }
        position = keep;
        lastSeq = durableSeq;
        failure = null;
        failureRecoverable = false;
    }

    /** Forces everything written so far (used by the async flusher, seal and close). */
    public void sync() {
        lock.lock();
        try {
            if (channel != null && failure == null) {
                awaitDurable(lastSeq);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Group commit; called with the lock held, returns with it held. */
    private void awaitDurable(long seq) {
        while (durableSeq < seq) {
            if (failure != null) {
                if (failureRecoverable) {
                    throw DiskFullException.of(dir, "the write-ahead log could not be forced", failure);
                }
                throw new StorageException("write-ahead log force failed in " + dir + ": " + failure
                        + "; this write was not acknowledged and the collection takes no more writes until it is reopened", failure);
            }
            if (forcing) {
                forcedCondition.awaitUninterruptibly();
                continue;
            }
            forcing = true;
            long target = lastSeq;
            long targetPosition = position;
            FileChannel ch = channel;
            lock.unlock();
            Throwable error = null;
            long forceStart = System.nanoTime();
            try {
                onIoThread(() -> {
                    ch.force(false);
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                error = e;
            } finally {
                forceNanos.add(System.nanoTime() - forceStart);
                forces.increment();
                lock.lock();
            }
            forcing = false;
            if (error != null) {
                failure = error;
                failureRecoverable = DiskFullException.isDiskFull(error);
            } else {
                durableSeq = Math.max(durableSeq, target);
                if (ch == channel) {
                    durablePosition = Math.max(durablePosition, targetPosition);
                }
            }
            forcedCondition.signalAll();
        }
    }

    private void checkWritable() {
        if (closed) {
            throw new StorageException("write-ahead log in " + dir + " is closed");
        }
        if (recovery.damage() != null) {
            throw new StorageException("collection is read-only: its write-ahead log is damaged (" + recovery.damage() + ")");
        }
        if (failure != null && !failureRecoverable) {
            throw new StorageException("collection is read-only after a failed write (" + failure
                    + "); reopen it to recover");
        }
    }

    /**
     * Forces the current file and starts a new one for the records that follow, so that
     * {@link #trim} can later delete the old one whole. Returns false, changing nothing, when the
     * new file cannot be made (a full disk): the log goes on in the current file.
     */
    public boolean roll() {
        lock.lock();
        try {
            checkWritable();
            if (channel == null || failure != null || position == FILE_HEADER) {
                return false; // nothing to roll away from
            }
            while (forcing) {
                forcedCondition.awaitUninterruptibly(); // a leader is forcing the old file: let it finish
            }
            FileChannel old = channel;
            long oldPosition = position;
            try {
                // Force the old file with the lock held, so no append slips in after the force and
                // is then counted durable by a force of the new file.
                onIoThread(() -> {
                    old.force(false);
                    return null;
                });
                durableSeq = lastSeq; // every record so far was in the old file, now forced
                durablePosition = oldPosition;
            } catch (IOException | RuntimeException e) {
                failure = e;
                failureRecoverable = DiskFullException.isDiskFull(e);
                return false;
            }
            try {
                onIoThread(() -> {
                    startFile(lastSeq + 1);
                    return null;
                });
                return true;
            } catch (IOException | RuntimeException e) {
                channel = old; // go on in the old file
                position = oldPosition;
                durablePosition = oldPosition;
                Path failed = fileFor(dir, lastSeq + 1);
                files.remove(failed);
                try {
                    disk.delete(failed);
                } catch (IOException ignored) {
                    // an empty or partial new file is cut or removed at the next open
                }
                return false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every file whose records all have sequence numbers at or below {@code sealedThrough}. */
    public void trim(long sealedThrough) {
        lock.lock();
        try {
            boolean deleted = false;
            while (files.size() > 1 && firstSeq(files.get(1)) - 1 <= sealedThrough) {
                disk.delete(files.removeFirst());
                deleted = true;
            }
            if (deleted) {
                disk.syncDirectory(dir);
            }
        } catch (IOException e) {
            // a file left behind is deleted by a later trim or open; nothing depends on it
        } finally {
            lock.unlock();
        }
    }

    private static long firstSeq(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - 4));
    }

    /** Bytes in the log's files. */
    public long sizeOnDisk() throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long total = 0;
        for (Path p : list(dir)) {
            total += Files.size(p);
        }
        return total;
    }

    /** Stops the timed forces and lets go of the file without forcing it: a crash, for tests. */
    public void halt() {
        shut(false);
    }

    @Override
    public void close() {
        shut(true);
    }

    /** Stops the timed forces and closes the file, forcing what was written first if {@code force}. */
    private void shut(boolean force) {
        closed = true;
        lock.lock();
        try {
            if (flusher != null) {
                flusher.cancel(false);
            }
            if (channel != null) {
                if (force && failure == null) {
                    try {
                        awaitDurable(lastSeq);
                    } catch (StorageException e) {
                        // reported to the writers already
                    }
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    // nothing more to do
                }
                channel = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
