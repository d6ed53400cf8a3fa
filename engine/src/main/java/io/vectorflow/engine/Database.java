package io.vectorflow.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.engine.perf.CostModel;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.StoreOptions;
import io.vectorflow.storage.DiskFullException;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.Names;
import io.vectorflow.storage.Snapshots;
import io.vectorflow.storage.StorageException;
import io.vectorflow.storage.io.Disk;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * An embedded VectorFlow database: a directory of collections, usable in-process from any Java
 * application, the way SQLite is. One process opens a directory at a time (a lock file enforces
 * it).
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("vectorflow-data"))) {
 *     Collection docs = db.createCollection(CollectionConfig.of("docs", 384, "cosine"));
 *     docs.upsert(List.of(Point.of(1, embedding, Map.of("lang", "en"))));
 *     SearchResult hits = docs.search(SearchRequest.of(query, 10)
 *             .withFilter(Filter.must(new Condition.Match("lang", "en"))));
 * }
 * }</pre>
 *
 * <h2>Layout</h2>
 * {@code <dir>/tenants/<tenant>/collections/<name>/} holds {@code collection.json} (the
 * {@link CollectionConfig}), {@code MANIFEST}, {@code wal/} and {@code segments/}; see
 * {@link CollectionStore} for what each holds. A collection that cannot be opened (a damaged
 * segment) does not stop the others: it is listed, and using it reports why. {@link #open} answers
 * the tenant {@value #DEFAULT_TENANT}; {@link #tenant} the others, each with its own names,
 * aliases ({@code tenants/<tenant>/aliases.json}) and snapshots ({@code tenants/<tenant>/snapshots/},
 * {@code <dir>/snapshots/} for the default tenant).
 */
public final class Database implements Closeable {

    /** The tenant of {@link #open}'s view, and of every collection made without naming one. */
    public static final String DEFAULT_TENANT = "default";
    private static final System.Logger LOG = System.getLogger(Database.class.getName());

    /**
     * Database-wide settings.
     *
     * @param durability        default for collections that do not choose
     * @param asyncFlushMillis  log force interval under {@link Durability#ASYNC}
     * @param indexThreads      most index tasks one collection runs at once (on the shared index threads)
     * @param prefault          for collections searched on disk, read sealed vectors into the page cache at open
     * @param disk              file-system access ({@link Disk#REAL}; tests inject faults)
     * @param maxUnindexed      per collection, the bound on points written but not yet in the
     *                          graph: writes slow down from half of it and are refused at it
     * @param compactionMbPerSecond  limit on each collection's compaction write rate, 0 for none
     * @param autoCompact       merge small segments in the background (otherwise only on request)
     * @param recallSampleShare share of approximate searches re-run exactly in the background to
     *                          estimate recall (0 turns it off)
     * @param prices            prices behind each search's cost estimate
     * @param segmentPayloadBytes payload bytes at which a collection's in-memory segment is sealed
     *                          (besides its point count)
     * @param maxResultBytes    most payload and vector bytes one answer (a search, a batch, a
     *                          scroll page, a get) may carry; more is refused with a message
     * @param encryption        encrypts logs and snapshot archives (null: written plain)
     */
    public record Options(Durability durability, long asyncFlushMillis, int indexThreads, boolean prefault, Disk disk,
                          int maxUnindexed, double compactionMbPerSecond, boolean autoCompact, double recallSampleShare,
                          CostModel prices, long segmentPayloadBytes, long maxResultBytes,
                          io.vectorflow.storage.crypto.Encryption encryption, TierSettings tiers) {
        /** Points written but not yet indexed that a collection accepts by default. */
        public static final int DEFAULT_MAX_UNINDEXED = 100_000;
        /** Share of approximate searches whose recall is checked by default. */
        public static final double DEFAULT_RECALL_SAMPLE_SHARE = 0.1;

        /**
         * Defaults; answers may carry at most a 32nd of the heap (64 MiB at most) of payloads
         * and vectors, which leaves room for their JSON to be written several at a time.
         */
        public static Options defaults() {
            long answer = Math.max(1 << 20, Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32));
            return new Options(Durability.FSYNC, 200, Runtime.getRuntime().availableProcessors(), true, Disk.REAL,
                    DEFAULT_MAX_UNINDEXED, 0, true, DEFAULT_RECALL_SAMPLE_SHARE, CostModel.DEFAULT,
                    StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, answer, null, null);
        }

        public Options withDisk(Disk d) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, d, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withDurability(Durability d) {
            return new Options(d, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withPrefault(boolean p) {
            return new Options(durability, asyncFlushMillis, indexThreads, p, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withMaxUnindexed(int bound) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, bound, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withIndexThreads(int threads) {
            return new Options(durability, asyncFlushMillis, threads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withRecallSampling(double share) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, share, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withPrices(CostModel p) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, p, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        public Options withCompaction(boolean auto, double mbPerSecond) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, mbPerSecond, auto,
                    recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, tiers);
        }

        /** Logs and snapshot archives encrypted with {@code e} (null: plain). */
        public Options withEncryption(io.vectorflow.storage.crypto.Encryption e) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, e, tiers);
        }

        /** Sealed segments' vectors may move to object storage as {@code t} says (null: they stay local). */
        public Options withTiers(TierSettings t) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, segmentPayloadBytes, maxResultBytes, encryption, t);
        }

        /** Payload bytes that seal an in-memory segment, and the most an answer may carry. */
        public Options withLimits(long sealPayloadBytes, long answerBytes) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, prices, sealPayloadBytes, answerBytes, encryption, tiers);
        }
    }

    /** How long {@link #close()} lets collections seal what they hold in memory, in all. */
    public static final Duration CLOSE_BUDGET = Duration.ofSeconds(5);

    /** What every tenant of one data directory shares: the directory and its lock, the settings, the recall sampler. */
    private static final class Shared {
        final Path root;
        final Options options;
        final FileChannel lockChannel;
        final FileLock lock;
        final RecallSampler sampler;
        final Map<String, Database> tenants = new ConcurrentHashMap<>();
        /** Moves sealed segments between disk and object storage; null without {@link Options#tiers()}. */
        final Placement placement;
        volatile boolean closed;

        Shared(Path root, Options options, FileChannel lockChannel, FileLock lock) throws IOException {
            this.root = root;
            this.options = options;
            this.lockChannel = lockChannel;
            this.lock = lock;
            this.sampler = new RecallSampler(options.recallSampleShare(), 0.25);
            this.placement = options.tiers() == null ? null : new Placement(options.tiers(), root, () -> tenants.values().stream()
                    .flatMap(t -> t.collections.values().stream()).toList());
        }
    }

    private final Shared shared;
    private final String tenant;
    private final Path root;
    private final Path collectionsDir;
    private final Options options;
    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    /** Held while collections are created, dropped, changed or restored (never while one is read). */
    private final Object lifecycle = new Object();
    private final RecallSampler sampler;
    private final CollectionSnapshots snapshots;
    private final Aliases aliases;
    private final TenantLimits limits;

    private Database(Shared shared, String tenant) {
        this.shared = shared;
        this.tenant = tenant;
        this.root = shared.root;
        this.sampler = shared.sampler;
        Path tenantDir = root.resolve("tenants").resolve(tenant);
        this.collectionsDir = tenantDir.resolve("collections");
        this.options = shared.options;
        // The default tenant's snapshots stay where they were before tenants existed.
        this.snapshots = new CollectionSnapshots(tenant.equals(DEFAULT_TENANT) ? root.resolve("snapshots")
                : tenantDir.resolve("snapshots"), options.disk(), options.encryption());
        this.aliases = Aliases.open(options.disk(), collectionsDir.resolveSibling("aliases.json"));
        this.limits = TenantLimits.open(tenant, tenantDir, options.disk());
    }

    /** This tenant's quotas ({@link TenantQuotas#NONE} unless set). */
    public TenantQuotas quotas() {
        return limits.quotas();
    }

    /** Sets this tenant's quotas, durably; they apply to the next write and collection. */
    public void setQuotas(TenantQuotas q) {
        checkOpen();
        synchronized (lifecycle) {
            try {
                limits.set(q);
            } catch (IOException e) {
                throw failure("cannot write the quotas of tenant '" + tenant + "'", e);
            }
        }
    }

    /** This tenant's collections, points and bytes on disk now. */
    public TenantQuotas.Usage usage() {
        return limits.usage(collections.values(), failed.size());
    }

    /** Opens (creating if needed) the database in {@code dir} with default options. */
    public static Database open(Path dir) {
        return open(dir, Options.defaults());
    }

    /**
     * Opens the database in {@code dir}: every collection's segments are opened and its log tail
     * replayed; what an interrupted create, drop, snapshot or upload left is removed.
     *
     * @throws StorageException when the directory cannot be used or another process has it open
     */
    public static Database open(Path dir, Options options) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // this process has it open already
            }
            if (lock == null) {
                ch.close();
                throw new StorageException("data directory " + dir.toAbsolutePath() + " is in use by another process");
            }
            Shared shared = new Shared(dir, options, ch, lock);
            Database db = new Database(shared, DEFAULT_TENANT);
            shared.tenants.put(DEFAULT_TENANT, db);
            db.snapshots.removeLeftovers();
            db.openCollections();
            try (Stream<Path> s = Files.list(dir.resolve("tenants"))) {
                for (Path t : s.sorted().toList()) {
                    String name = t.getFileName().toString();
                    if (!name.equals(DEFAULT_TENANT) && Files.isDirectory(t) && validTenant(name)) {
                        Database view = new Database(shared, name);
                        view.snapshots.removeLeftovers();
                        view.openCollections();
                        shared.tenants.put(name, view);
                    }
                }
            }
            if (shared.placement != null) {
                shared.placement.start();
            }
            return db;
        } catch (IOException e) {
            throw new StorageException("cannot open data directory " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    private static boolean validTenant(String name) {
        try {
            Names.check("tenant", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The collections of tenant {@code id}: a database of its own to its users (its own names,
     * aliases and snapshots, in {@code <dir>/tenants/<id>/}), sharing this one's directory,
     * settings and threads. A tenant without collections costs a few hundred bytes and no files.
     * Closing any tenant's view closes the whole database.
     *
     * @throws IllegalArgumentException for a name that is not a valid tenant name
     */
    public Database tenant(String id) {
        checkOpen();
        Database known = shared.tenants.get(id);
        if (known != null) {
            return known;
        }
        Names.check("tenant", id);
        return shared.tenants.computeIfAbsent(id, t -> new Database(shared, t));
    }

    /** This view's tenant. */
    public String tenantName() {
        return tenant;
    }

    /** The tenants of this data directory with at least one collection, or opened since it was opened, sorted. */
    public List<String> listTenants() {
        return new ArrayList<>(new TreeSet<>(shared.tenants.keySet()));
    }

    /** The key under which this tenant's collection {@code name} keeps its recall estimates. */
    private String statsKey(String name) {
        return tenant.equals(DEFAULT_TENANT) ? name : tenant + "/" + name;
    }

    /**
     * Opens every collection, on as many threads as there are cores: a data directory of
     * thousands of collections opens in seconds.
     */
    private void openCollections() throws IOException {
        if (!tenant.equals(DEFAULT_TENANT) && !Files.isDirectory(collectionsDir)) {
            return;
        }
        options.disk().createDirectories(collectionsDir);
        List<Path> dirs;
        try (Stream<Path> s = Files.list(collectionsDir)) {
            dirs = s.sorted().toList();
        }
        List<Path> toOpen = new ArrayList<>();
        for (Path p : dirs) {
            if (p.getFileName().toString().startsWith(".")) {
                options.disk().deleteTree(p); // a drop, create or restore that a crash interrupted
            } else {
                toOpen.add(p);
            }
        }
        int threads = Math.max(1, Math.min(toOpen.size() / 64, Runtime.getRuntime().availableProcessors()));
        if (threads <= 1) {
            toOpen.forEach(p -> openExisting(p.getFileName().toString(), p));
            return;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("vectorflow-open-", 0).factory())) {
            for (Path p : toOpen) {
                pool.execute(() -> openExisting(p.getFileName().toString(), p));
            }
        }
    }

    /** Opens the collection stored in {@code p}, or records why it cannot be opened. */
    private void openExisting(String name, Path p) {
        try {
            CollectionConfig config = ConfigFiles.read(p.resolve("collection.json"));
            Collection c = openCollection(config, p);
            collections.put(name, c);
            var recovery = c.store().recovery();
            if (recovery.cutBytes() > 0 || recovery.damage() != null) {
                LOG.log(recovery.damage() != null ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                        "collection ''{0}'': {1}", name, c.recoveryReport());
            }
        } catch (IOException | RuntimeException e) {
            failed.put(name, e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.log(System.Logger.Level.ERROR, "collection ''{0}'' could not be opened: {1}", name, e.getMessage());
        }
    }

    private StoreOptions storeOptions(CollectionConfig c) {
        Durability d = c.durability() != null ? c.durability() : options.durability();
        return new StoreOptions(c.dimension(), c.metricImpl(), c.hnswOf(0),
                c.segmentCapacity(), options.segmentPayloadBytes(), d, options.asyncFlushMillis(), options.indexThreads(),
                options.prefault(), c.onDiskOf(0), options.maxUnindexed(), c.compactionMbPerSecond() != null
                ? c.compactionMbPerSecond() : options.compactionMbPerSecond(), options.autoCompact())
                .withVectors(c.moreVectorSlots(), c.sparseSlots()).withEncryption(options.encryption())
                .withObjectTier(shared.placement == null ? null : shared.placement.tierFor(tenant, c.name()));
    }

    /** Opens the store and payload indexes of the collection in {@code dir}. */
    private Collection openCollection(CollectionConfig config, Path dir) throws IOException {
        PayloadIndexes indexes = PayloadIndexes.open(options.disk(), dir, Json.MAPPER, Json::decode);
        sampler.forget(statsKey(config.name()));
        CollectionStore store = CollectionStore.open(options.disk(), dir, storeOptions(config));
        if (!indexes.schema().isEmpty()) {
            // Bitmaps live in memory: rebuild them now, in the background, rather than in the first filtered query.
            Thread.ofVirtual().name("vectorflow-payload-index-" + config.name()).start(() -> {
                try {
                    indexes.warm(store.view().all());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "payload indexes of ''{0}'' will be built on first use: {1}",
                            config.name(), e.toString());
                }
            });
        }
        return new Collection(config, store, indexes, sampler, statsKey(config.name()), options.prices(), options.maxResultBytes(),
                options.disk(), added -> limits.admitWrite(collections.values(), added));
    }

    /**
     * Changes a collection's settings: the new ones are written to its {@code collection.json}
     * and the collection is reopened under them (writes in flight finish first; searches that
     * hold the old handle fail and can be retried). Name, dimension and metric cannot change.
     *
     * @throws IllegalArgumentException naming what cannot change, or a setting this process
     *         has not the memory for
     */
    public Collection updateCollection(CollectionConfig config) {
        checkOpen();
        MemoryLimits.check(config, "optimizers_config.max_segment_size");
        synchronized (lifecycle) {
            Collection old = collection(config.name());
            CollectionConfig was = old.config();
            if (was.dimension() != config.dimension() || !was.metric().equals(config.metric())
                    || (was.vectors() == null) != (config.vectors() == null)
                    || was.vectors() != null && !was.vectors().sameShape(config.vectors())) {
                throw new IllegalArgumentException("vectors.size and vectors.distance of collection '" + config.name()
                        + "' cannot change; create a new collection");
            }
            Path dir = collectionsDir.resolve(config.name());
            try {
                options.disk().writeAtomically(dir.resolve("collection.json"), ByteBuffer.wrap(ConfigFiles.json(config)));
            } catch (IOException e) {
                throw failure("cannot update collection '" + config.name() + "'", e);
            }
            collections.remove(config.name());
            old.close(System.nanoTime() + CLOSE_BUDGET.toNanos());
            openExisting(config.name(), dir);
            return collection(config.name());
        }
    }

    /** A {@link DiskFullException} when {@code e} says the disk is full, else a {@link StorageException}. */
    private StorageException failure(String what, IOException e) {
        return DiskFullException.isDiskFull(e) ? DiskFullException.of(root.toAbsolutePath(), what, e)
                : new StorageException(what + ": " + e, e);
    }

    /**
     * Creates a collection, all or nothing: its directory appears under its name, complete, or
     * not at all (a full disk leaves nothing behind).
     *
     * @throws AlreadyExistsException if the name is taken
     * @throws IllegalArgumentException for settings this process has not the memory for
     * @throws DiskFullException when there is no room for it
     */
    public Collection createCollection(CollectionConfig config) {
        checkOpen();
        MemoryLimits.check(config, "optimizers_config.max_segment_size");
        String name = config.name();
        Disk disk = options.disk();
        synchronized (lifecycle) {
            if (collections.containsKey(name) || failed.containsKey(name)) {
                throw new AlreadyExistsException("collection '" + name + "' already exists");
            }
            limits.admitCollection(collections.size() + failed.size());
            if (aliases.resolve(name) != null) {
                throw new AlreadyExistsException("'" + name + "' is an alias of collection '" + aliases.resolve(name)
                        + "'; delete the alias first or choose another name");
            }
            Path staging = collectionsDir.resolve(".creating-" + name);
            Path target = collectionsDir.resolve(name);
            try {
                disk.createDirectories(collectionsDir); // a tenant's first collection
                disk.deleteTree(staging);
                disk.createDirectories(staging);
                disk.writeAtomically(staging.resolve("collection.json"), ByteBuffer.wrap(ConfigFiles.json(config)));
                disk.move(staging, target);
                disk.syncDirectory(collectionsDir);
            } catch (IOException e) {
                try {
                    disk.deleteTree(staging);
                } catch (IOException ignored) {
                    // hidden; removed at the next open
                }
                throw failure("cannot create collection '" + name + "'", e);
            }
            try {
                Collection c = openCollection(config, target);
                collections.put(name, c);
                return c;
            } catch (IOException | RuntimeException e) {
                try {
                    disk.deleteTree(target); // do not leave a directory that blocks the name
                } catch (IOException ignored) {
                    // reported below; the next open lists it as failed
                }
                throw e instanceof IOException io ? failure("cannot create collection '" + name + "'", io)
                        : new StorageException("cannot create collection '" + name + "': " + e, e);
            }
        }
    }

    /**
     * The open collection with this name.
     *
     * @throws NotFoundException when there is none
     * @throws StorageException when it exists but could not be opened, saying why
     */
    public Collection collection(String name) {
        checkOpen();
        Names.collection(name);
        Collection c = collections.get(name);
        if (c != null) {
            return c;
        }
        String target = aliases.resolve(name);
        if (target != null && collections.get(target) != null) {
            return collections.get(target);
        }
        String reason = failed.get(name);
        if (reason != null) {
            throw new StorageException("collection '" + name + "' could not be opened: " + reason);
        }
        throw new NotFoundException("collection '" + name + "' does not exist");
    }

    /** Names of all collections, including any that failed to open, sorted. */
    public List<String> listCollections() {
        TreeSet<String> names = new TreeSet<>(collections.keySet());
        names.addAll(failed.keySet());
        return new ArrayList<>(names);
    }

    /** The collection aliases: other names collections answer to. */
    public Aliases aliases() {
        return aliases;
    }

    /**
     * Applies alias changes, all or nothing (Qdrant's {@code POST /collections/aliases}).
     *
     * @throws IllegalArgumentException or {@link NotFoundException} naming the action that cannot be applied
     */
    public void updateAliases(List<Aliases.Action> actions) {
        checkOpen();
        synchronized (lifecycle) {
            try {
                aliases.apply(actions, n -> collections.containsKey(n) || failed.containsKey(n));
            } catch (IOException e) {
                throw new StorageException("cannot write the aliases: " + e, e);
            }
        }
    }

    /** Collections that could not be opened, with the reason. */
    public Map<String, String> failedCollections() {
        return Map.copyOf(failed);
    }

    /**
     * Deletes a collection and its files; returns false when it did not exist. All or nothing:
     * the directory is first renamed to a hidden name (so a crash mid-way never leaves half a
     * collection); if that fails, the collection stays as it was and the error says why.
     */
    public boolean dropCollection(String name) {
        checkOpen();
        Names.collection(name);
        synchronized (lifecycle) {
            Collection c = collections.get(name);
            if (c == null && !failed.containsKey(name)) {
                return false;
            }
            Path dir = collectionsDir.resolve(name);
            Path dropped = collectionsDir.resolve(".dropped-" + name + "-" + System.nanoTime());
            try {
                options.disk().move(dir, dropped);
                options.disk().syncDirectory(collectionsDir);
            } catch (IOException e) {
                throw new StorageException("cannot drop collection '" + name + "': its directory " + dir
                        + " cannot be changed (" + e + "); the collection is unchanged", e);
            }
            collections.remove(name);
            failed.remove(name);
            if (c != null) {
                c.discard();
            }
            if (shared.placement != null) {
                shared.placement.dropped(tenant, name);
            }
            sampler.forget(statsKey(name));
            try {
                aliases.dropped(name);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "the aliases of dropped collection ''{0}'' could not be removed ({1})",
                        name, e.toString());
            }
            try {
                options.disk().deleteTree(dropped);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "dropped collection ''{0}'' left files in {1} ({2}); the next open removes them",
                        name, dropped, e.toString());
            }
            return true;
        }
    }

    /**
     * Takes a snapshot of a collection: a point-in-time copy of its files, packed as
     * {@code <dir>/snapshots/<collection>/<name>.snapshot} (a tar, format in {@link Snapshots}).
     * Writes to the collection pause only while its last in-memory points are sealed and its
     * files hard-linked. On failure (a full disk) nothing of it is left.
     *
     * @return the archive
     */
    public Path createSnapshot(String collectionName, String snapshotName) {
        Collection c = collection(collectionName); // an alias names its collection
        return snapshots.create(c, snapshotName, collectionsDir.resolve(c.name()));
    }

    /** Names of a collection's snapshots, sorted. */
    public List<String> listSnapshots(String collectionName) {
        return snapshots.list(collectionName);
    }

    /**
     * Deletes a snapshot archive.
     *
     * @throws NotFoundException when there is none of that name
     */
    public void deleteSnapshot(String collectionName, String snapshotName) {
        snapshots.delete(collectionName, snapshotName);
    }

    /** The archive of a snapshot taken by {@link #createSnapshot}. */
    public Path snapshotFile(String collectionName, String snapshotName) {
        return snapshots.file(collectionName, snapshotName);
    }

    /**
     * A new hidden file in this database's directory for an upload to stream into before it is
     * restored; the caller deletes it when done (a crash leaves it for the next open to remove).
     */
    public Path newUploadFile() throws IOException {
        return snapshots.newUploadFile();
    }

    /**
     * Restores a snapshot archive as collection {@code collectionName}, replacing it if it exists.
     * The archive is unpacked into a hidden staging directory and opened (every checksum checked)
     * before anything existing is touched; other collections are served meanwhile.
     *
     * @throws IllegalArgumentException for an archive that is not a sound VectorFlow snapshot
     *         (garbage, truncated, hostile, or with a damaged manifest, segment or settings file)
     * @throws DiskFullException when there is no room to unpack it
     */
    public Collection restoreSnapshot(InputStream archive, String collectionName) {
        checkOpen();
        Names.collection(collectionName);
        Path staging = collectionsDir.resolve(".restoring-" + collectionName + "-" + System.nanoTime());
        try {
            options.disk().createDirectories(collectionsDir);
            CollectionConfig config = snapshots.unpack(archive, staging, collectionName);
            options.disk().writeAtomically(staging.resolve("collection.json"), ByteBuffer.wrap(ConfigFiles.json(config)));
            synchronized (lifecycle) {
                return swapIn(collectionName, config, staging);
            }
        } catch (IOException e) {
            throw failure("cannot restore collection '" + collectionName + "'", e);
        } finally {
            try {
                options.disk().deleteTree(staging);
            } catch (IOException ignored) {
                // hidden; removed at the next open
            }
        }
    }

    /** Puts an unpacked, checked collection in place of {@code name} (lifecycle lock held). */
    private Collection swapIn(String name, CollectionConfig config, Path staging) throws IOException {
        Path target = collectionsDir.resolve(name);
        Path previous = null;
        Collection old = collections.remove(name);
        failed.remove(name);
        if (old != null) {
            old.close(System.nanoTime() + CLOSE_BUDGET.toNanos());
        }
        if (Files.exists(target)) {
            previous = collectionsDir.resolve(".dropped-" + name + "-" + System.nanoTime());
            options.disk().move(target, previous); // kept until the restored one is open
        }
        Collection c;
        try {
            options.disk().move(staging, target);
            options.disk().syncDirectory(collectionsDir);
            c = openCollection(config, target);
        } catch (IOException | RuntimeException e) {
            if (previous != null) { // put the old collection back
                options.disk().deleteTree(target);
                options.disk().move(previous, target);
                options.disk().syncDirectory(collectionsDir);
                openExisting(name, target);
            }
            throw e;
        }
        collections.put(name, c);
        if (previous != null) {
            options.disk().deleteTree(previous);
        }
        return c;
    }

    public Path directory() {
        return root;
    }

    private void checkOpen() {
        if (shared.closed) {
            throw new IllegalStateException("database is closed");
        }
    }

    /**
     * Runs one placement round for {@code name} now (at most one segment moves), rather than
     * waiting for the background's next; returns the bytes moved.
     *
     * @throws IllegalStateException without object storage configured
     */
    public long placeNow(String name) throws IOException {
        if (shared.placement == null) {
            throw new IllegalStateException("no object store is configured (start the server with --object-store)");
        }
        return shared.placement.placeOnce(collection(name));
    }

    /** The block cache of vectors fetched from object storage, or null without one. */
    public io.vectorflow.storage.tier.BlockCache tierCache() {
        return shared.placement == null ? null : shared.placement.cache();
    }

    /**
     * Closes every collection and releases the directory, letting collections seal what they
     * hold in memory for up to {@link #CLOSE_BUDGET} in all (what is not sealed by then stays in
     * the logs and is replayed at the next open: nothing acknowledged is lost either way).
     */
    @Override
    public void close() {
        close(CLOSE_BUDGET);
    }

    /** {@link #close()} with another time budget for sealing: every tenant's collections. */
    public void close(Duration budget) {
        synchronized (shared) {
            if (shared.closed) {
                return;
            }
            shared.closed = true;
        }
        long deadline = System.nanoTime() + budget.toNanos();
        sampler.close();
        if (shared.placement != null) {
            shared.placement.close();
        }
        for (Database view : shared.tenants.values()) {
            synchronized (view.lifecycle) {
                view.collections.values().forEach(c -> c.close(deadline));
                view.collections.clear();
            }
        }
        try {
            shared.lock.release();
            shared.lockChannel.close();
        } catch (IOException e) {
            // the process is letting go of the directory either way
        }
    }
}
