package io.vectorflow.engine;

import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.SegmentTiers;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.tier.BlockCache;
import io.vectorflow.storage.tier.ObjectTier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Background placement of sealed segments between local disk and the object tier, for one data
 * directory. Every round it looks at each open collection's {@link TieringConfig} and the
 * searches' {@link SegmentAccess}, and makes at most one move per collection: a pin to archive
 * archives every segment, and a segment idle for {@code archive_after_idle_s} is archived; a
 * cold segment searched often enough comes back (a pin to disk brings all back); else a segment
 * idle for {@code object_after_idle_s}, or the least used while the collection's local vectors
 * exceed {@code disk_budget_bytes}, moves out (a pin to object moves all, archived ones by way of
 * the disk). Moves run one at a time and
 * pause after each as long as the I/O budget asks. The first round that sees a collection deletes
 * the objects a crash or a failed move left behind.
 *
 * <p>Objects live under {@code <database id>/<tenant>/<collection>/}; the database id, a random
 * value in {@code <data dir>/database.id}, keeps two data directories that share a bucket apart.
 */
final class Placement implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Placement.class.getName());

    private final TierSettings settings;
    private final BlockCache cache;
    private final String databaseId;
    private final Supplier<List<Collection>> collections;
    private final Set<CollectionStore> swept = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());
    private final Thread thread;
    private volatile boolean closed;

    Placement(TierSettings settings, Path root, Supplier<List<Collection>> collections) throws IOException {
        this.settings = settings;
        this.cache = new BlockCache(settings.cacheBytes());
        this.databaseId = databaseId(root);
        this.collections = collections;
        this.thread = Thread.ofVirtual().name("vectorflow-placement").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private static String databaseId(Path root) throws IOException {
        Path file = root.resolve("database.id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (id.matches("[0-9a-f]{16}")) {
                return id;
            }
        }
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        io.vectorflow.storage.io.Disk.REAL.writeAtomically(file, java.nio.ByteBuffer.wrap(id.getBytes(StandardCharsets.US_ASCII)));
        return id;
    }

    /** Where collection {@code name} of {@code tenant} keeps its cold segments. */
    ObjectTier tierFor(String tenant, String name) {
        return new ObjectTier(settings.store(), cache, databaseId + "/" + tenant + "/" + name);
    }

    BlockCache cache() {
        return cache;
    }

    TierSettings settings() {
        return settings;
    }

    /** Deletes a dropped collection's objects, in the background (failures leave orphans for no one: logged). */
    void dropped(String tenant, String name) {
        ObjectTier tier = tierFor(tenant, name);
        Thread.ofVirtual().name("vectorflow-drop-objects").start(() -> {
            try {
                SegmentTiers.deleteAll(tier);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "objects of dropped collection ''{0}'' stay in {1} under {2}/: {3}",
                        name, settings.store().describe(), tier.collectionPrefix(), e.toString());
            }
        });
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(settings.intervalMillis());
            } catch (InterruptedException e) {
                return;
            }
            for (Collection c : collections.get()) {
                if (closed) {
                    return;
                }
                try {
                    long moved = placeOnce(c);
                    pace(moved);
                } catch (IOException | RuntimeException e) {
                    if (e instanceof IOException) {
                        cache.failed(e.getMessage()); // the collections' info says the store cannot be reached
                    }
                    LOG.log(System.Logger.Level.WARNING, "placement of collection ''{0}'': {1}", c.config().name(), e.toString());
                }
            }
        }
    }

    /** Sleeps as long as moving {@code bytes} takes at the I/O budget. */
    private void pace(long bytes) {
        if (bytes <= 0 || settings.ioMbPerSecond() <= 0) {
            return;
        }
        try {
            Thread.sleep((long) (bytes / (settings.ioMbPerSecond() * 1e6) * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One round for one collection: at most one move. Returns the bytes it moved (0 for none).
     * Also what a caller that cannot wait for the next round uses.
     */
    long placeOnce(Collection c) throws IOException {
        CollectionStore store = c.store();
        if (store.options().objectTier() == null || store.readOnlyReason() != null) {
            return 0;
        }
        if (swept.add(store)) {
            int orphans = SegmentTiers.sweep(store);
            if (orphans > 0) {
                LOG.log(System.Logger.Level.INFO, "collection ''{0}'': deleted {1} objects no segment names", c.config().name(), orphans);
            }
        }
        TieringConfig t = c.config().tiering();
        List<SealedSegment> sealed = store.view().sealed();
        SegmentAccess access = c.access();
        access.retain(sealed.stream().map(SealedSegment::number).collect(Collectors.toSet()));
        long now = System.nanoTime();
        prewarm(sealed, access, now);
        if (t == null || "disk".equals(t.pinned())) {
            for (SealedSegment s : sealed) {
                if (s.isCold()) {
                    return SegmentTiers.promote(store, s) ? s.vectorBytes() : 0;
                }
            }
            return 0;
        }
        if ("archive".equals(t.pinned())) {
            for (SealedSegment s : sealed) {
                if (!s.isArchived()) { // no codes needed: a search restores it before reading it
                    return SegmentTiers.archive(store, s) ? s.vectorBytes() : 0;
                }
            }
            return 0;
        }
        if (t.archiveAfterIdleSeconds() != null) {
            for (SealedSegment s : sealed) {
                if (!s.isArchived() && access.idleNanos(s.number(), now) >= t.archiveAfterIdleSeconds() * 1_000_000_000L) {
                    return SegmentTiers.archive(store, s) ? s.vectorBytes() : 0;
                }
            }
        }
        if ("object".equals(t.pinned())) {
            for (SealedSegment s : sealed) {
                if (!s.isCold() && hasCodes(s)) {
                    return SegmentTiers.demote(store, s) ? s.vectorBytes() : 0;
                }
                if (s.isArchived()) {
                    return SegmentTiers.promote(store, s) ? s.vectorBytes() : 0; // out again next round, searchable cold
                }
            }
            return 0;
        }
        for (SealedSegment s : sealed) {
            if (s.isCold() && access.count(s.number(), now) >= t.promoteAfterHits()) {
                return SegmentTiers.promote(store, s) ? s.vectorBytes() : 0;
            }
        }
        SealedSegment out = null;
        if (t.objectAfterIdleSeconds() != null) {
            for (SealedSegment s : sealed) {
                if (!s.isCold() && hasCodes(s) && access.idleNanos(s.number(), now) >= t.objectAfterIdleSeconds() * 1_000_000_000L) {
                    out = s;
                    break;
                }
            }
        }
        if (out == null && t.diskBudgetBytes() != null) {
            long local = sealed.stream().filter(s -> !s.isCold()).mapToLong(SealedSegment::vectorBytes).sum();
            if (local > t.diskBudgetBytes()) {
                out = sealed.stream().filter(s -> !s.isCold() && hasCodes(s))
                        .min(java.util.Comparator.comparingDouble(s -> access.count(s.number(), now))).orElse(null);
            }
        }
        return out != null && SegmentTiers.demote(store, out) ? out.vectorBytes() : 0;
    }

    /** Pre-warm at most every minute per segment. */
    private static final long PREWARM_EVERY_NANOS = 60_000_000_000L;

    /**
     * Pre-warming: segments searched in place on disk that searches touched since the last round
     * get their vectors and graphs read into the page cache in the background, so the queries
     * that follow a recent one (the same users, the same documents) do not each wait on the
     * disk. Cold segments searched often enough are promoted instead (see {@link #placeOnce}),
     * and a promoted segment's vectors are read in as they are downloaded.
     */
    private static void prewarm(List<SealedSegment> sealed, SegmentAccess access, long now) {
        for (SealedSegment s : sealed) {
            if (s.searchesInPlace() && access.claimPrewarm(s.number(), now, PREWARM_EVERY_NANOS)) {
                s.prewarm();
            }
        }
    }

    private static boolean hasCodes(SealedSegment s) {
        for (int slot = 0; slot < s.vectorSlots(); slot++) {
            if (s.codes().get(slot) == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settings.store().close();
    }
}
