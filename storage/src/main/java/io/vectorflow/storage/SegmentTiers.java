package io.vectorflow.storage;

import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.object.ObjectStore;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.tier.ObjectTier;
import io.vectorflow.storage.tier.Remote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Moves a sealed segment's float vectors between local disk and the object tier, never losing
 * them on the way. Everything else of the segment (graphs, quantized codes, ids, payloads) stays
 * local, so a segment in the object tier is searched on its codes and fetches only the vectors
 * its rescoring candidates need.
 *
 * <h2>Order of steps (what a crash at any point leaves)</h2>
 * To the object tier: upload each vectors file under a fresh prefix, read it back and check its
 * CRC32C against the local file's, open the segment over the objects, publish the manifest
 * naming the prefix, and only then delete the local files. A crash before the publish leaves the
 * segment local (the uploaded objects are orphans that {@link #sweep} deletes); after it, the
 * next open deletes the local files the manifest no longer counts on.
 *
 * <p>Back to disk: download each object beside the segment ({@code .tmp}, forced), move it into
 * place, open the segment (which verifies every file's checksum), publish the manifest without
 * the prefix, and only then delete the objects. A crash before the publish leaves the segment
 * cold (the next open deletes the downloaded files); after it, the objects are orphans.
 *
 * <p>To the archive tier (from disk or from the object tier): each vectors file is compressed
 * with zstd into {@code <new prefix>/<file>.zst}, read back, decompressed and its CRC32C trailer
 * checked, then the manifest is published naming the prefix as archived, and only then are the
 * local files (or the object tier's objects) deleted. Back to disk as above, decompressing as it
 * downloads. The same crash reasoning holds: the segment is complete in one tier at every step.
 *
 * <p>Moves of one collection run one at a time.
 */
public final class SegmentTiers {

    private static final int VERIFY_CHUNK = 8 << 20;

    private SegmentTiers() {}

    /**
     * Moves {@code s}'s float vectors to the object tier. False when it is already there or left
     * the collection meanwhile.
     *
     * @throws IllegalStateException when no object store is configured or a vector slot has no
     *                               quantized codes (a cold segment is walked on its codes)
     * @throws IOException           when the store or the disk fails (the segment stays local)
     */
    public static boolean demote(CollectionStore store, SealedSegment s) throws IOException {
        ObjectTier tier = store.options().objectTier();
        if (tier == null) {
            throw new IllegalStateException("no object store is configured");
        }
        synchronized (store.tierLock) {
            if (s.isCold() || !store.view().sealed().contains(s)) {
                return false;
            }
            for (int slot = 0; slot < s.vectorSlots(); slot++) {
                if (s.codes().get(slot) == null) {
                    throw new IllegalStateException("segment " + s.number() + " has no quantized codes for vector slot "
                            + slot + "; only a collection with quantization moves segments to the object tier");
                }
            }
            Remote remote = tier.remote(tier.newSegmentPrefix(s.number()), false);
            Disk disk = store.disk();
            List<String> uploaded = new ArrayList<>();
            try {
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    String file = SealedSegment.vectorsFile(slot);
                    String key = remote.key(file);
                    uploaded.add(key);
                    tier.store().put(key, s.directory().resolve(file));
                    verify(tier.store(), key, s.directory().resolve(file));
                }
                SealedSegment cold = reopen(store, s, remote);
                if (!store.replaceSealed(s, cold)) {
                    deleteQuietly(tier.store(), uploaded);
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tier.store(), uploaded);
                throw e;
            }
            for (int slot = 0; slot < s.vectorSlots(); slot++) {
                disk.delete(s.directory().resolve(SealedSegment.vectorsFile(slot))); // the old mapping lives on
            }
            disk.syncDirectory(s.directory());
            return true;
        }
    }

    /**
     * Moves {@code s}'s float vectors into the archive tier: zstd-compressed objects, restored to
     * disk before the segment is searched again. False when already archived or gone.
     *
     * @throws IllegalStateException when no object store is configured
     * @throws IOException           when the store or the disk fails (the segment stays where it was)
     */
    public static boolean archive(CollectionStore store, SealedSegment s) throws IOException {
        ObjectTier tier = store.options().objectTier();
        if (tier == null) {
            throw new IllegalStateException("no object store is configured");
        }
        synchronized (store.tierLock) {
            if (s.isArchived() || !store.view().sealed().contains(s)) {
                return false;
            }
            Remote from = s.remote();
            Remote to = tier.remote(tier.newSegmentPrefix(s.number()), true);
            Disk disk = store.disk();
            List<String> uploaded = new ArrayList<>();
            List<Path> scratch = new ArrayList<>();
            try {
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    String file = SealedSegment.vectorsFile(slot);
                    Path local = s.directory().resolve(file);
                    if (from != null) { // in the object tier: fetch it to compress it
                        local = s.directory().resolve(file + ".tmp");
                        scratch.add(local);
                        from.store().download(from.key(file), local);
                    }
                    Path packed = s.directory().resolve(file + ".zst.tmp");
                    scratch.add(packed);
                    long size = Files.size(local);
                    try (var in = Files.newInputStream(local);
                         var out = new io.airlift.compress.zstd.ZstdOutputStream(Files.newOutputStream(packed))) {
                        in.transferTo(out);
                    }
                    String key = to.key(file);
                    uploaded.add(key);
                    tier.store().put(key, packed);
                    verifyArchived(tier.store(), key, size, s.directory().resolve(file + ".zst.check.tmp"));
                }
                SealedSegment archived = reopen(store, s, to);
                if (!store.replaceSealed(s, archived)) {
                    deleteQuietly(tier.store(), uploaded);
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tier.store(), uploaded);
                throw e;
            } finally {
                for (Path p : scratch) {
                    Files.deleteIfExists(p);
                }
            }
            if (from == null) {
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    disk.delete(s.directory().resolve(SealedSegment.vectorsFile(slot)));
                }
                disk.syncDirectory(s.directory());
            } else {
                List<String> old = new ArrayList<>();
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    old.add(from.key(SealedSegment.vectorsFile(slot)));
                    from.cache().forget(from.key(SealedSegment.vectorsFile(slot)));
                }
                deleteQuietly(from.store(), old);
            }
            return true;
        }
    }

    /**
     * Copies a cold segment's vectors file {@code file} from where {@code remote} keeps it into
     * {@code target}: downloaded, and decompressed when archived.
     */
    static void fetch(Remote remote, String file, Path target) throws IOException {
        if (!remote.archived()) {
            remote.store().download(remote.key(file), target);
            return;
        }
        Path packed = target.resolveSibling(target.getFileName() + ".zst.tmp");
        try {
            remote.store().download(remote.key(file), packed);
            try (var in = new io.airlift.compress.zstd.ZstdInputStream(Files.newInputStream(packed));
                 var out = Files.newOutputStream(target)) {
                in.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(packed);
        }
    }

    /**
     * Reads an archived object back: it must decompress to {@code size} bytes whose last four are
     * the CRC32C of the rest (the vectors file's own trailer).
     */
    private static void verifyArchived(ObjectStore objects, String key, long size, Path scratch) throws IOException {
        try {
            objects.download(key, scratch);
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[1 << 16];
            byte[] last = new byte[4];
            long total = 0;
            try (var in = new io.airlift.compress.zstd.ZstdInputStream(Files.newInputStream(scratch))) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    // everything but the final 4 bytes goes into the checksum
                    long bodyEnd = size - 4;
                    int body = (int) Math.max(0, Math.min(n, bodyEnd - total));
                    crc.update(buf, 0, body);
                    for (int i = body; i < n; i++) {
                        long at = total + i - bodyEnd;
                        if (at >= 0 && at < 4) {
                            last[(int) at] = buf[i];
                        }
                    }
                    total += n;
                }
            }
            int stored = ByteBuffer.wrap(last).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (total != size || (int) crc.getValue() != stored) {
                throw new IOException(objects.describe() + ": " + key + " read back as " + total + " bytes with "
                        + ((int) crc.getValue() == stored ? "the right" : "a wrong") + " checksum; expected " + size);
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /**
     * Brings {@code s}'s float vectors back to local disk. False when they are local already or
     * the segment left the collection meanwhile.
     *
     * @throws IOException when the store cannot be read or the disk fails (the segment stays cold)
     */
    public static boolean promote(CollectionStore store, SealedSegment s) throws IOException {
        synchronized (store.tierLock) {
            if (!s.isCold() || !store.view().sealed().contains(s)) {
                return false;
            }
            Remote remote = s.remote();
            Disk disk = store.disk();
            List<Path> placed = new ArrayList<>();
            try {
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    String file = SealedSegment.vectorsFile(slot);
                    Path tmp = s.directory().resolve(file + ".tmp");
                    placed.add(tmp);
                    fetch(remote, file, tmp);
                    try (FileChannel ch = disk.open(tmp, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
                for (int slot = 0; slot < s.vectorSlots(); slot++) {
                    Path target = s.directory().resolve(SealedSegment.vectorsFile(slot));
                    disk.move(placed.get(slot), target);
                    placed.set(slot, target);
                }
                disk.syncDirectory(s.directory());
                SealedSegment local = reopen(store, s, null);
                if (!store.replaceSealed(s, local)) {
                    for (Path p : placed) {
                        disk.delete(p);
                    }
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                for (Path p : placed) {
                    try {
                        disk.delete(p);
                    } catch (IOException ignored) {
                        // a leftover the next open removes
                    }
                }
                throw e;
            }
            List<String> keys = new ArrayList<>();
            for (int slot = 0; slot < s.vectorSlots(); slot++) {
                keys.add(remote.key(SealedSegment.vectorsFile(slot)));
                remote.cache().forget(remote.key(SealedSegment.vectorsFile(slot)));
            }
            deleteQuietly(remote.store(), keys); // what stays behind, the sweep removes
            return true;
        }
    }

    /**
     * Deletes the collection's objects that its manifest does not name (left by a move a crash or
     * a failure cut short). Returns how many.
     */
    public static int sweep(CollectionStore store) throws IOException {
        ObjectTier tier = store.options().objectTier();
        if (tier == null) {
            return 0;
        }
        synchronized (store.tierLock) {
            Set<String> named = new HashSet<>();
            for (Manifest.Entry e : store.files().manifest().segments()) {
                if (e.objectPrefix() != null) {
                    named.add(e.objectPrefix());
                }
            }
            // a move in flight has not published its prefix yet: the lock keeps sweeps out of its way
            int deleted = 0;
            for (ObjectStore.ObjectInfo o : tier.store().list(tier.collectionPrefix() + "/")) {
                int slash = o.key().lastIndexOf('/');
                if (slash < 0 || !named.contains(o.key().substring(0, slash))) {
                    tier.store().delete(o.key());
                    deleted++;
                }
            }
            return deleted;
        }
    }

    /** Deletes every object of a collection being dropped; how many. */
    public static int deleteAll(ObjectTier tier) throws IOException {
        int deleted = 0;
        for (ObjectStore.ObjectInfo o : tier.store().list(tier.collectionPrefix() + "/")) {
            tier.store().delete(o.key());
            tier.cache().forget(o.key());
            deleted++;
        }
        return deleted;
    }

    /** {@code s} opened again from its directory, its vectors where {@code remote} says, its codes loaded. */
    private static SealedSegment reopen(CollectionStore store, SealedSegment s, Remote remote) throws IOException {
        String deletes = null;
        for (Manifest.Entry e : store.files().manifest().segments()) {
            if (e.number() == s.number()) {
                deletes = e.deletesFile();
            }
        }
        StoreOptions options = store.options();
        // a segment coming back is read into the page cache as it opens: searched soon, likely
        SealedSegment reopened = SealedSegment.open(store.disk(), s.directory(), s.number(), deletes, remote == null,
                SegmentFiles.inPlace(options.layout()), options.sparseVectors(), remote);
        try {
            for (int slot = 0; slot < s.vectorSlots(); slot++) {
                QuantizedVectors q = s.codes().get(slot);
                if (q != null) {
                    reopened.codes().load(store.disk(), slot, q.spec().alwaysRam());
                }
            }
        } catch (IOException | RuntimeException e) {
            reopened.close();
            throw e;
        }
        return reopened;
    }

    /** Reads {@code key} back and checks it against the local file's stored CRC32C and size. */
    static void verify(ObjectStore objects, String key, Path local) throws IOException {
        long size = Files.size(local);
        long stored = objects.stat(key).orElseThrow(() -> new IOException(objects.describe() + ": " + key
                + " is missing right after its upload")).size();
        if (stored != size) {
            throw new IOException(objects.describe() + ": " + key + " holds " + stored + " bytes, the local file " + size);
        }
        ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(local, StandardOpenOption.READ)) {
            ch.read(tail, size - 4);
        }
        int expected = tail.getInt(0);
        CRC32C crc = new CRC32C();
        for (long pos = 0; pos < size - 4; ) {
            int length = (int) Math.min(VERIFY_CHUNK, size - 4 - pos);
            ByteBuffer got = objects.read(key, pos, length);
            if (got.remaining() != length) {
                throw new IOException(objects.describe() + ": " + key + " ended early when read back");
            }
            crc.update(got);
            pos += length;
        }
        if ((int) crc.getValue() != expected) {
            throw new IOException(objects.describe() + ": " + key + " read back with a different checksum than it was written with");
        }
    }

    private static void deleteQuietly(ObjectStore objects, List<String> keys) {
        for (String k : keys) {
            try {
                objects.delete(k);
            } catch (IOException | RuntimeException e) {
                // an orphan the sweep removes
            }
        }
    }
}
