package io.vectorflow.storage.segment;

import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A sealed segment's quantized codes, one set per dense slot: the codes searches use, and their
 * files beside the segment's others ({@code quantized.bin} for slot 0, {@code quantized-<i>.bin}
 * for slot i; {@link QuantizedVectors} documents the format). Codes are derived data: written
 * after the segment was published, replaced when the collection's quantization changes, and
 * rebuilt from the vectors when missing or damaged, so losing a file loses no data.
 */
public final class SegmentCodes {

    private final Path dir;
    private final Arena arena;
    private final AtomicReferenceArray<QuantizedVectors> inUse;

    SegmentCodes(Path dir, Arena arena, int denseSlots) {
        this.dir = dir;
        this.arena = arena;
        this.inUse = new AtomicReferenceArray<>(denseSlots);
    }

    /** The codes file of a dense slot. */
    public static String file(int slot) {
        return slot == 0 ? "quantized.bin" : "quantized-" + slot + ".bin";
    }

    /** The codes searches of this slot use, or null. */
    public QuantizedVectors get(int slot) {
        return inUse.get(slot);
    }

    /**
     * Opens the slot's codes file and puts its codes in use; null when there is none. A damaged
     * file is deleted (the caller builds the codes again). With {@code alwaysRam} the codes are
     * copied into memory, else read through a mapping that lives as long as the segment.
     */
    public QuantizedVectors load(Disk disk, int slot, boolean alwaysRam) throws IOException {
        Path path = dir.resolve(file(slot));
        if (!Files.exists(path)) {
            return null;
        }
        try {
            QuantizedVectors codes;
            if (alwaysRam) {
                try (Arena once = Arena.ofConfined(); FileChannel ch = disk.open(path, StandardOpenOption.READ)) {
                    codes = QuantizedVectors.open(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), once), true);
                }
            } else {
                try (FileChannel ch = disk.open(path, StandardOpenOption.READ)) {
                    MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                    codes = QuantizedVectors.open(mapped, false);
                }
            }
            inUse.set(slot, codes);
            return codes;
        } catch (CorruptFileException e) {
            disk.delete(path);
            return null;
        } catch (NoSuchFileException e) {
            return null; // the segment was compacted away meanwhile
        }
    }

    /**
     * Writes {@code codes} as the slot's file (a temporary file forced, renamed over the old one,
     * the directory forced) and puts them in use.
     */
    public void install(Disk disk, int slot, QuantizedVectors codes) throws IOException {
        Path path = dir.resolve(file(slot));
        Path tmp = dir.resolve(file(slot) + ".tmp");
        try (FileChannel ch = disk.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            codes.write(ch);
            ch.force(true);
        }
        disk.move(tmp, path);
        disk.syncDirectory(dir);
        inUse.set(slot, codes);
    }

    /** Stops using the slot's codes and deletes their file. */
    public void drop(Disk disk, int slot) throws IOException {
        inUse.set(slot, null);
        disk.delete(dir.resolve(file(slot)));
    }

    /** Whether the slot has a codes file. */
    public boolean hasFile(int slot) {
        return Files.exists(dir.resolve(file(slot)));
    }

    /** Bytes of the codes in use that were copied into memory (the rest are mapped). */
    public long bytesInMemory() {
        long sum = 0;
        for (int i = 0; i < inUse.length(); i++) {
            QuantizedVectors q = inUse.get(i);
            sum += q == null || !q.spec().alwaysRam() ? 0 : q.bytes();
        }
        return sum;
    }
}
