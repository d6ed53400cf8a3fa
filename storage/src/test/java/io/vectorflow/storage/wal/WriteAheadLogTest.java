package io.vectorflow.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.storage.Durability;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {

    @TempDir
    Path dir;

    /** A disk that counts forces of WAL files (to see group commit at work). */
    private static final class CountingDisk implements Disk {
        final AtomicInteger forces = new AtomicInteger();

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            FileChannel real = FileChannel.open(file, options);
            return new ForwardingChannel(real) {
                @Override
                public void force(boolean metaData) throws IOException {
                    forces.incrementAndGet();
                    super.force(metaData);
                }
            };
        }
    }

    private static ByteBuffer payload(int writer, int i) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(writer).putInt(i).flip();
    }

    @Test
    void concurrentWritersShareForcesAndEveryRecordReplaysInOrder() throws Exception {
        CountingDisk disk = new CountingDisk();
        int writers = 8, each = 150;
        ConcurrentHashMap<Long, Long> seqToValue = new ConcurrentHashMap<>();
        try (WriteAheadLog wal = WriteAheadLog.open(disk, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            int forcesAtStart = disk.forces.get();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        long seq = wal.append(payload(writer, i));
                        seqToValue.put(seq, (long) writer << 32 | i);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            int forces = disk.forces.get() - forcesAtStart;
            assertThat(forces).as("forces for %d acknowledged appends", writers * each).isLessThan(writers * each * 3 / 4);
        }
        List<Long> replayed = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog again = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {
            seqs.add(s);
            replayed.add((long) p.getInt() << 32 | p.getInt());
        });
        again.close();
        assertThat(seqs).hasSize(writers * each);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i + 1L);
            assertThat(replayed.get(i)).isEqualTo(seqToValue.get(seqs.get(i)));
        }
    }

    @Test
    void rollingTrimsOnlyFilesWhoseRecordsAreAllSealed() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            for (int i = 0; i < 5; i++) {
                wal.append(payload(0, i));
            }
            wal.roll();
            wal.trim(3); // records 4 and 5 are not sealed: their file stays
            wal.append(payload(0, 5));
            wal.roll();
            wal.trim(5); // now the first file goes
        }
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 5, (s, p) -> seqs.add(s)).close();
        assertThat(seqs).containsExactly(6L);
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("00000000000000000006.wal", "00000000000000000007.wal");
        }
    }

    /** Overwrites the sequence number of the {@code index}-th record (0-based) of a log file, breaking its checksum. */
    private static void breakRecord(Path file, int index) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            long pos = WriteAheadLog.FILE_HEADER;
            for (int i = 0; i < index; i++) {
                pos += WriteAheadLog.RECORD_HEADER + m.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, pos);
            }
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 99), pos + 8);
        }
    }

    @Test
    void anInvalidRecordEndsTheLastFileAndWhatFollowsIsCounted() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            for (int i = 0; i < 4; i++) {
                wal.append(payload(0, i));
            }
        }
        // Record 2 invalid, 3 and 4 valid after it: what a power cut that kept a later page and lost an
        // earlier one leaves. None of them can have been acknowledged, so the log ends at record 1.
        breakRecord(dir.resolve("00000000000000000001.wal"), 1);
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> seqs.add(s));
        assertThat(seqs).containsExactly(1L);
        assertThat(wal.recovery().damage()).isNull();
        assertThat(wal.recovery().cutBytes()).isPositive();
        assertThat(wal.recovery().discarded()).isEqualTo(2);
        assertThat(wal.append(payload(0, 9))).isEqualTo(2L); // and writing goes on after the cut
        wal.close();
    }

    @Test
    void anInvalidRecordInAnEarlierFileIsDamageUnlessThatFileIsSealed() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            for (int i = 0; i < 3; i++) {
                wal.append(payload(0, i));
            }
            wal.roll();
            wal.trim(0); // nothing sealed: the first file stays
            wal.append(payload(0, 3));
        }
        breakRecord(dir.resolve("00000000000000000001.wal"), 1);
        WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {});
        assertThat(wal.recovery().damage()).contains("forced whole");
        assertThat(wal.recovery().cutBytes()).isZero(); // nothing acknowledged was thrown away
        assertThatThrownBy(() -> wal.append(payload(0, 9))).hasMessageContaining("damaged");
        wal.close();
        // Once records 1-3 are sealed (skipThrough 3), the damage no longer matters.
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog sealed = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 3, (s, p) -> seqs.add(s));
        assertThat(sealed.recovery().damage()).isNull();
        assertThat(seqs).containsExactly(4L);
        sealed.close();
    }

    @Test
    void anInterruptedWriterDoesNotFailTheLog() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            Thread.currentThread().interrupt();
            assertThat(wal.append(payload(0, 1))).isEqualTo(1L);
            assertThat(Thread.interrupted()).isTrue(); // the status survives, the log does too
            assertThat(wal.append(payload(0, 2))).isEqualTo(2L);
            assertThat(wal.isWritable()).isTrue();
        }
    }
}
