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
            wal.roll(3); // records 4 and 5 are not sealed: their file stays
            wal.append(payload(0, 5));
            wal.roll(5); // now the first file goes
        }
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 5, (s, p) -> seqs.add(s)).close();
        assertThat(seqs).containsExactly(6L);
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("00000000000000000006.wal", "00000000000000000007.wal");
        }
    }

    @Test
    void aSequenceGapIsDamageNotATornTail() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> {})) {
            for (int i = 0; i < 3; i++) {
                wal.append(payload(0, i));
            }
        }
        Path file = dir.resolve("00000000000000000001.wal");
        // Overwrite record 2's sequence number (and so its checksum fails): a bad record with a good one after it.
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            long second = WriteAheadLog.FILE_HEADER + WriteAheadLog.RECORD_HEADER + m.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, WriteAheadLog.FILE_HEADER);
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 99), second + 8);
        }
        List<Long> seqs = new ArrayList<>();
        WriteAheadLog wal = WriteAheadLog.open(Disk.REAL, dir, Durability.FSYNC, 100, 0, (s, p) -> seqs.add(s));
        assertThat(seqs).containsExactly(1L);
        assertThat(wal.recovery().damage()).contains("valid records after it");
        assertThat(wal.recovery().cutBytes()).isZero(); // nothing acknowledged was thrown away
        assertThatThrownBy(() -> wal.append(payload(0, 9))).hasMessageContaining("damaged");
        wal.close();
    }
}
