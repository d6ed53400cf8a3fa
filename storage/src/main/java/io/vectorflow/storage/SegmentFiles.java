package io.vectorflow.storage;

import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.VectorLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A collection's sealed segment files and the {@link Manifest} that names them: opening the
 * named segments, writing a new segment directory (crash-safe: a {@code .tmp} directory, each
 * file forced, renamed), publishing a new manifest generation with the delete bits that changed,
 * and hard-linking everything the manifest names into a snapshot. The {@link CollectionStore}
 * decides when; callers that publish hold its apply lock.
 */
final class SegmentFiles {

    private final Disk disk;
    private final Path dir;
    private final VectorLayout layout;
    private final boolean[] inPlace;
    private final io.vectorflow.storage.tier.ObjectTier objectTier;
    private volatile Manifest manifest;
    /** Number for the next segment written, by a seal or a compaction. */
    private final AtomicLong nextSegment;

    SegmentFiles(Disk disk, Path dir, Manifest manifest, StoreOptions options) {
        this.disk = disk;
        this.dir = dir;
        this.layout = options.layout();
        this.inPlace = inPlace(layout);
        this.objectTier = options.objectTier();
        this.manifest = manifest;
        this.nextSegment = new AtomicLong(manifest.nextSegment());
    }

    /** Per dense slot, whether sealed segments search it in place in its mapped files. */
    static boolean[] inPlace(VectorLayout layout) {
        boolean[] out = new boolean[layout.dense().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = layout.dense().get(i).onDisk();
        }
        return out;
    }

    /** The manifest in force. */
    Manifest manifest() {
        return manifest;
    }

    /**
     * Opens and checks every segment {@code manifest} names, oldest first.
     *
     * @throws StorageException naming the segment that is damaged or missing (none is left open)
     */
    static List<SealedSegment> openAll(Disk disk, Path dir, Manifest manifest, StoreOptions options) {
        Path segments = dir.resolve("segments");
        List<SealedSegment> sealed = new ArrayList<>();
        try {
            for (Manifest.Entry e : manifest.segments()) {
                io.vectorflow.storage.tier.Remote remote = null;
                if (e.objectPrefix() != null) {
                    if (options.objectTier() == null) {
                        throw new StorageException("its vectors are in object storage (" + e.objectPrefix()
                                + ") and no object store is configured");
                    }
                    remote = options.objectTier().remote(e.objectPrefix(), e.archived());
                }
                sealed.add(SealedSegment.open(disk, segments.resolve(Long.toString(e.number())), e.number(),
                        e.deletesFile(), options.prefault(), inPlace(options.layout()), options.sparseVectors(), remote));
            }
        } catch (IOException | RuntimeException e) {
            sealed.forEach(SealedSegment::close);
            throw new StorageException("cannot open the collection in " + dir + ": segment "
                    + (manifest.segments().size() > sealed.size() ? manifest.segments().get(sealed.size()).number() : "?")
                    + " is damaged or missing (" + e.getMessage() + "); restore it from a snapshot or drop the collection", e);
        }
        return sealed;
    }

    /**
     * Writes {@code m} (fully indexed) as segment {@code number}: connectivity repair, files into
     * {@code segments/<n>.tmp/} each forced, the directory renamed and its parent forced; returns
     * it opened, with {@code m}'s deletes applied. Not yet in the manifest; on failure nothing of
     * it is left.
     */
    SealedSegment write(MutableSegment m, long number) throws IOException {
        return write(m, number, m::payload);
    }

    /** {@link #write(MutableSegment, long)} with the payloads taken from elsewhere (a merge's inputs). */
    SealedSegment write(MutableSegment m, long number, java.util.function.IntFunction<byte[]> payloads)
            throws IOException {
        Path segments = dir.resolve("segments");
        Path tmp = segments.resolve(number + ".tmp");
        Path target = segments.resolve(Long.toString(number));
        try {
            if (!Files.isDirectory(segments)) {
                disk.createDirectories(segments);
                disk.syncDirectory(dir);
            }
            for (int slot = 0; slot < m.vectorSlots(); slot++) {
                m.graph(slot).connectComponents();
            }
            disk.deleteTree(tmp);
            disk.createDirectories(tmp);
            SealedSegment.write(disk, tmp, m, payloads);
            disk.syncDirectory(tmp);
            disk.move(tmp, target);
            disk.syncDirectory(segments);
            SealedSegment created = SealedSegment.open(disk, target, number, null, true, inPlace(layout), m.sparseSlots());
            for (int o = 0; o < m.size(); o++) {
                if (m.isDeleted(o)) {
                    created.delete(o);
                }
            }
            return created;
        } catch (IOException | RuntimeException e) {
            try {
                disk.deleteTree(tmp);
                disk.deleteTree(target);
            } catch (IOException ignored) {
                // a leftover the next open removes (the manifest does not name it)
            }
            throw e;
        }
    }

    /**
     * Publishes a new manifest naming {@code newestFirst} (writing delete bits that changed first);
     * the collection's apply lock held. Obsolete delete files are removed after.
     */
    void publish(List<SealedSegment> newestFirst, long sealedThrough) throws IOException {
        long generation = manifest.generation() + 1;
        List<Manifest.Entry> entries = new ArrayList<>();
        List<Path> obsolete = new ArrayList<>();
        List<SealedSegment> rewritten = new ArrayList<>();
        try {
            for (SealedSegment s : newestFirst.reversed()) {
                String deletes = deletesFileOf(s);
                if (s.deletesDirty()) {
                    if (deletes != null) {
                        obsolete.add(s.directory().resolve(deletes));
                    }
                    deletes = "deletes-" + generation + ".bin";
                    rewritten.add(s);
                    s.writeDeletes(disk, deletes);
                    disk.syncDirectory(s.directory());
                }
                entries.add(new Manifest.Entry(s.number(), s.size(), deletes, s.isCold() ? s.remote().prefix() : null,
                        s.isArchived()));
            }
            new Manifest(generation, sealedThrough, nextSegment.get(), entries).write(disk, dir);
        } catch (IOException | RuntimeException e) {
            rewritten.forEach(SealedSegment::markDeletesDirty); // the manifest in force names the old bits
            throw e;
        }
        manifest = new Manifest(generation, sealedThrough, nextSegment.get(), entries);
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

    /** Closes and deletes a segment that was written but never published. */
    void discard(SealedSegment s) {
        s.close();
        try {
            disk.deleteTree(s.directory());
        } catch (IOException e) {
            // a leftover the next open removes (the manifest does not name it)
        }
    }

    /** A number for a new segment, by a seal or a compaction. */
    long reserveNumber() {
        return nextSegment.getAndIncrement();
    }

    /**
     * Hard-links (or copies) the manifest and every file it names into {@code target}; with no
     * manifest yet (nothing sealed), writes an empty one there.
     */
    void linkInto(Path target) throws IOException {
        Files.createDirectories(target);
        boolean anyCold = manifest.segments().stream().anyMatch(e -> e.objectPrefix() != null);
        if (anyCold) {
            // A snapshot stands alone: cold segments' vectors are downloaded into it, and its
            // manifest names every segment as local.
            new Manifest(manifest.generation(), manifest.sealedThrough(), manifest.nextSegment(), manifest.segments().stream()
                    .map(e -> new Manifest.Entry(e.number(), e.count(), e.deletesFile())).toList()).write(Disk.REAL, target);
        } else if (Files.exists(dir.resolve(Manifest.FILE))) {
            Snapshots.linkOrCopy(dir.resolve(Manifest.FILE), target.resolve(Manifest.FILE));
        } else {
            manifest.write(Disk.REAL, target); // nothing sealed yet: an empty collection
        }
        for (Manifest.Entry e : manifest.segments()) {
            Path from = dir.resolve("segments").resolve(Long.toString(e.number()));
            Path to = target.resolve("segments").resolve(Long.toString(e.number()));
            for (String f : SealedSegment.files(layout.dense().size(), layout.sparse())) {
                if (e.objectPrefix() != null && f.startsWith("vectors")) {
                    Files.createDirectories(to);
                    SegmentTiers.fetch(objectTier.remote(e.objectPrefix(), e.archived()), f, to.resolve(f));
                } else {
                    Snapshots.linkOrCopy(from.resolve(f), to.resolve(f));
                }
            }
            for (int slot = 0; slot < layout.dense().size(); slot++) {
                Path codes = from.resolve(io.vectorflow.storage.segment.SegmentCodes.file(slot));
                if (Files.exists(codes)) { // derived data: a snapshot without them rebuilds them after restore
                    try {
                        Snapshots.linkOrCopy(codes, to.resolve(codes.getFileName()));
                    } catch (java.nio.file.NoSuchFileException replacedMeanwhile) {
                        // the codes were being rewritten: the restored collection builds them again
                    }
                }
            }
            if (e.deletesFile() != null) {
                Snapshots.linkOrCopy(from.resolve(e.deletesFile()), to.resolve(e.deletesFile()));
            }
        }
    }
}
