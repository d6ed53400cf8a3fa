package io.vectorflow.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.engine.perf.CostModel;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.storage.CollectionStore;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * {@code <dir>/tenants/default/collections/<name>/} holds {@code collection.json} (the
 * {@link CollectionConfig}), {@code MANIFEST}, {@code wal/} and {@code segments/}; see
 * {@link CollectionStore} for what each holds. A collection that cannot be opened (a damaged
 * segment) does not stop the others: it is listed, and using it reports why.
 */
public final class Database implements Closeable {

    /** The tenant every collection belongs to until tenants exist. */
    public static final String DEFAULT_TENANT = "default";
    private static final System.Logger LOG = System.getLogger(Database.class.getName());

    /**
     * Database-wide settings.
     *
     * @param durability        default for collections that do not choose
     * @param asyncFlushMillis  log force interval under {@link Durability#ASYNC}
     * @param indexThreads      threads linking a batch's points into the graph
     * @param prefault          for collections searched on disk, read sealed vectors into the page cache at open
     * @param disk              file-system access ({@link Disk#REAL}; tests inject faults)
     * @param maxUnindexed      per collection, the bound on points written but not yet in the
     *                          graph: writes slow down from half of it and are refused at it
     * @param compactionMbPerSecond  limit on each collection's compaction write rate, 0 for none
     * @param autoCompact       merge small segments in the background (otherwise only on request)
     * @param recallSampleShare share of approximate searches re-run exactly in the background to
     *                          estimate recall (0 turns it off)
     * @param prices            prices behind each search's cost estimate
     */
    public record Options(Durability durability, long asyncFlushMillis, int indexThreads, boolean prefault, Disk disk,
                          int maxUnindexed, double compactionMbPerSecond, boolean autoCompact, double recallSampleShare,
                          CostModel prices) {
        /** Points written but not yet indexed that a collection accepts by default. */
        public static final int DEFAULT_MAX_UNINDEXED = 100_000;
        /** Share of approximate searches whose recall is checked by default. */
        public static final double DEFAULT_RECALL_SAMPLE_SHARE = 0.1;

        public static Options defaults() {
            return new Options(Durability.FSYNC, 200, Runtime.getRuntime().availableProcessors(), true, Disk.REAL,
                    DEFAULT_MAX_UNINDEXED, 0, true, DEFAULT_RECALL_SAMPLE_SHARE, CostModel.DEFAULT);
        }

        public Options withDisk(Disk d) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, d, maxUnindexed, compactionMbPerSecond, autoCompact, recallSampleShare, prices);
        }

        public Options withDurability(Durability d) {
            return new Options(d, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond, autoCompact, recallSampleShare, prices);
        }

        public Options withPrefault(boolean p) {
            return new Options(durability, asyncFlushMillis, indexThreads, p, disk, maxUnindexed, compactionMbPerSecond, autoCompact, recallSampleShare, prices);
        }

        public Options withMaxUnindexed(int bound) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, bound, compactionMbPerSecond, autoCompact, recallSampleShare, prices);
        }

        public Options withIndexThreads(int threads) {
            return new Options(durability, asyncFlushMillis, threads, prefault, disk, maxUnindexed, compactionMbPerSecond, autoCompact, recallSampleShare, prices);
        }

        public Options withRecallSampling(double share) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, share, prices);
        }

        public Options withPrices(CostModel p) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, compactionMbPerSecond,
                    autoCompact, recallSampleShare, p);
        }

        public Options withCompaction(boolean auto, double mbPerSecond) {
            return new Options(durability, asyncFlushMillis, indexThreads, prefault, disk, maxUnindexed, mbPerSecond, auto, recallSampleShare, prices);
        }
    }

    private final Path root;
    private final Path collectionsDir;
    private final Options options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, Collection> collections = new TreeMap<>();
    private final Map<String, String> failed = new TreeMap<>();
    private final Object snapshotNames = new Object();
    private final RecallSampler sampler;
    private boolean closed;

    private Database(Path root, Options options, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.sampler = new RecallSampler(options.recallSampleShare(), 0.25);
        this.collectionsDir = root.resolve("tenants").resolve(DEFAULT_TENANT).resolve("collections");
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the database in {@code dir} with default options. */
    public static Database open(Path dir) {
        return open(dir, Options.defaults());
    }

    /**
     * Opens the database in {@code dir}: every collection's segments are mapped and its log tail
     * replayed.
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
            Database db = new Database(dir, options, ch, lock);
            db.openCollections();
            return db;
        } catch (IOException e) {
            throw new StorageException("cannot open data directory " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    private void openCollections() throws IOException {
        options.disk().createDirectories(collectionsDir);
        try (Stream<Path> s = Files.list(collectionsDir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    options.disk().deleteTree(p); // a drop or create that a crash interrupted
                    continue;
                }
                openExisting(name, p);
            }
        }
    }

    /** Opens the collection stored in {@code p}, or records why it cannot be opened. */
    private void openExisting(String name, Path p) {
        try {
            CollectionConfig config = readConfig(p.resolve("collection.json"));
            Collection c = openCollection(config, p);
            collections.put(name, c);
            var recovery = c.store().recovery();
            if (recovery.cutBytes() > 0 || recovery.damage() != null) {
                LOG.log(recovery.damage() != null ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                        "collection ''{0}'': {1}", name, c.recoveryReport());
            }
        } catch (IOException | RuntimeException e) {
            failed.put(name, e.getMessage());
            LOG.log(System.Logger.Level.ERROR, "collection ''{0}'' could not be opened: {1}", name, e.getMessage());
        }
    }

    private CollectionStore.Options storeOptions(CollectionConfig c) {
        Durability d = c.durability() != null ? c.durability() : options.durability();
        return new CollectionStore.Options(c.dimension(), c.metricImpl(), new HnswParams(c.m(), c.efConstruction()),
                c.segmentCapacity(), d, options.asyncFlushMillis(), options.indexThreads(), options.prefault(), c.onDisk(),
                options.maxUnindexed(), c.compactionMbPerSecond() != null ? c.compactionMbPerSecond()
                : options.compactionMbPerSecond(), options.autoCompact());
    }

    /** Opens the store and payload indexes of the collection in {@code dir}. */
    private Collection openCollection(CollectionConfig config, Path dir) throws IOException {
        PayloadIndexes indexes = PayloadIndexes.open(options.disk(), dir, Json.MAPPER, Json::decode);
        sampler.forget(config.name());
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
        return new Collection(config, store, indexes, sampler, options.prices());
    }

    /**
     * Changes a collection's settings: the new ones are written to its {@code collection.json}
     * and the collection is reopened under them (writes in flight finish first; searches that
     * hold the old handle fail and can be retried). Name, dimension and metric cannot change.
     *
     * @throws IllegalArgumentException naming what cannot change
     */
    public synchronized Collection updateCollection(CollectionConfig config) {
        checkOpen();
        Collection old = collection(config.name());
        CollectionConfig was = old.config();
        if (was.dimension() != config.dimension() || !was.metric().equals(config.metric())) {
            throw new IllegalArgumentException("vectors.size and vectors.distance of collection '" + config.name()
                    + "' cannot change; create a new collection");
        }
        Path dir = collectionsDir.resolve(config.name());
        try {
            options.disk().writeAtomically(dir.resolve("collection.json"), ByteBuffer.wrap(configJson(config)));
        } catch (IOException e) {
            throw new StorageException("cannot update collection '" + config.name() + "': " + e, e);
        }
        collections.remove(config.name());
        old.close();
        openExisting(config.name(), dir);
        return collection(config.name());
    }

    private static CollectionConfig readConfig(Path file) throws IOException {
        JsonNode n = Json.MAPPER.readTree(file.toFile());
        for (String field : List.of("name", "dimension", "metric", "m", "ef_construction", "segment_capacity")) {
            if (n == null || !n.hasNonNull(field)) {
                throw new IllegalArgumentException(file.getFileName() + " lacks '" + field + "'");
            }
        }
        JsonNode d = n.get("durability");
        return new CollectionConfig(n.get("name").asText(), n.get("dimension").asInt(), n.get("metric").asText(),
                n.get("m").asInt(), n.get("ef_construction").asInt(), n.get("segment_capacity").asInt(),
                d == null || d.isNull() ? null : Durability.parse(d.asText()), n.path("on_disk").asBoolean(false),
                n.path("indexing_threshold_kb").asInt(0),
                n.hasNonNull("compaction_mb_per_second") ? n.get("compaction_mb_per_second").asDouble() : null);
    }

    private static byte[] configJson(CollectionConfig c) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", c.name()).put("dimension", c.dimension()).put("metric", c.metric()).put("m", c.m())
                .put("ef_construction", c.efConstruction()).put("segment_capacity", c.segmentCapacity())
                .put("durability", c.durability() == null ? null : c.durability().name().toLowerCase())
                .put("on_disk", c.onDisk()).put("indexing_threshold_kb", c.indexingThresholdKb())
                .put("compaction_mb_per_second", c.compactionMbPerSecond());
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
    }

    /**
     * Creates a collection.
     *
     * @throws AlreadyExistsException if the name is taken
     */
    public synchronized Collection createCollection(CollectionConfig config) {
        checkOpen();
        String name = config.name();
        if (collections.containsKey(name) || failed.containsKey(name)) {
            throw new AlreadyExistsException("collection '" + name + "' already exists");
        }
        Disk disk = options.disk();
        Path staging = collectionsDir.resolve(".creating-" + name);
        Path target = collectionsDir.resolve(name);
        try {
            options.disk().deleteTree(staging);
            disk.createDirectories(staging);
            disk.writeAtomically(staging.resolve("collection.json"), ByteBuffer.wrap(configJson(config)));
            disk.move(staging, target);
            disk.syncDirectory(collectionsDir);
        } catch (IOException e) {
            throw new StorageException("cannot create collection '" + name + "': " + e, e);
        }
        try {
            Collection c = openCollection(config, target);
            collections.put(name, c);
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                options.disk().deleteTree(target); // do not leave a directory that blocks the name
            } catch (IOException ignored) {
                // reported below; the next open lists it as failed
            }
            throw new StorageException("cannot create collection '" + name + "': " + e, e);
        }
    }

    /**
     * The open collection with this name.
     *
     * @throws NotFoundException when there is none
     * @throws StorageException when it exists but could not be opened, saying why
     */
    public synchronized Collection collection(String name) {
        checkOpen();
        Names.check("collection name", name);
        Collection c = collections.get(name);
        if (c != null) {
            return c;
        }
        String reason = failed.get(name);
        if (reason != null) {
            throw new StorageException("collection '" + name + "' could not be opened: " + reason);
        }
        throw new NotFoundException("collection '" + name + "' does not exist");
    }

    /** Names of all collections, including any that failed to open. */
    public synchronized List<String> listCollections() {
        TreeSet<String> names = new TreeSet<>(collections.keySet());
        names.addAll(failed.keySet());
        return new ArrayList<>(names);
    }

    /** Collections that could not be opened, with the reason. */
    public synchronized Map<String, String> failedCollections() {
        return Map.copyOf(failed);
    }

    /**
     * Deletes a collection and its files; returns false when it did not exist. The directory is
     * first renamed to a hidden name, so a crash mid-way never leaves half a collection.
     */
    public synchronized boolean dropCollection(String name) {
        checkOpen();
        Names.check("collection name", name);
        Collection c = collections.remove(name);
        boolean existed = c != null || failed.remove(name) != null;
        if (!existed) {
            return false;
        }
        if (c != null) {
            c.close();
        }
        Path dir = collectionsDir.resolve(name);
        Path dropped = collectionsDir.resolve(".dropped-" + name + "-" + System.nanoTime());
        try {
            options.disk().move(dir, dropped);
            options.disk().syncDirectory(collectionsDir);
            options.disk().deleteTree(dropped);
        } catch (IOException e) {
            throw new StorageException("cannot drop collection '" + name + "': " + e, e);
        }
        return true;
    }

    /**
     * Takes a snapshot of a collection: a point-in-time copy of its files, packed as
     * {@code <dir>/snapshots/<collection>/<name>.snapshot} (a tar, format in {@link Snapshots}).
     * Writes to the collection pause only while its files are hard-linked.
     *
     * @return the archive
     */
    public Path createSnapshot(String collectionName, String snapshotName) {
        Names.check("snapshot name", snapshotName);
        Collection c = collection(collectionName);
        Path folder = root.resolve("snapshots").resolve(collectionName);
        Path archive = folder.resolve(snapshotName + ".snapshot");
        if (Files.exists(archive)) {
            throw new AlreadyExistsException("snapshot '" + snapshotName + "' of collection '" + collectionName + "' already exists");
        }
        String unique = snapshotName + "-" + System.nanoTime();
        Path staging = folder.resolve(".taking-" + unique);
        Path partial = folder.resolve(".partial-" + unique);
        try {
            c.store().snapshot(staging);
            Files.write(staging.resolve("collection.json"), configJson(c.config()));
            Path indexes = collectionsDir.resolve(collectionName).resolve(PayloadIndexes.FILE);
            if (Files.exists(indexes)) {
                Files.copy(indexes, staging.resolve(PayloadIndexes.FILE));
            }
            Snapshots.writeTar(staging, partial);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            synchronized (snapshotNames) { // publish without replacing one taken meanwhile
                if (Files.exists(archive)) {
                    Files.delete(partial);
                    throw new AlreadyExistsException("snapshot '" + snapshotName + "' of collection '" + collectionName
                            + "' already exists");
                }
                Files.move(partial, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return archive;
        } catch (IOException e) {
            throw new StorageException("cannot snapshot collection '" + collectionName + "': " + e, e);
        } finally {
            try {
                options.disk().deleteTree(staging);
            } catch (IOException ignored) {
                // a leftover staging directory is hidden and removed by the next snapshot of that name
            }
        }
    }

    /** Names of a collection's snapshots, sorted. */
    public List<String> listSnapshots(String collectionName) {
        Names.check("collection name", collectionName);
        Path folder = root.resolve("snapshots").resolve(collectionName);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".snapshot") && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - ".snapshot".length())).sorted().toList();
        } catch (IOException e) {
            throw new StorageException("cannot list snapshots of '" + collectionName + "': " + e, e);
        }
    }

    /**
     * Deletes a snapshot archive.
     *
     * @throws NotFoundException when there is none of that name
     */
    public void deleteSnapshot(String collectionName, String snapshotName) {
        Path archive = snapshotFile(collectionName, snapshotName);
        try {
            Files.delete(archive);
        } catch (IOException e) {
            throw new StorageException("cannot delete snapshot '" + snapshotName + "': " + e, e);
        }
    }

    /** The archive of a snapshot taken by {@link #createSnapshot}. */
    public Path snapshotFile(String collectionName, String snapshotName) {
        Names.check("collection name", collectionName);
        Names.check("snapshot name", snapshotName);
        Path archive = root.resolve("snapshots").resolve(collectionName).resolve(snapshotName + ".snapshot");
        if (!Files.isRegularFile(archive)) {
            throw new NotFoundException("snapshot '" + snapshotName + "' of collection '" + collectionName + "' does not exist");
        }
        return archive;
    }

    /**
     * Restores a snapshot archive as collection {@code collectionName}, replacing it if it exists.
     * The archive is unpacked into a hidden staging directory and opened (every checksum checked)
     * before anything existing is touched.
     *
     * @throws IllegalArgumentException for an archive that is not a clean VectorFlow snapshot
     */
    public synchronized Collection restoreSnapshot(InputStream archive, String collectionName) {
        checkOpen();
        Names.check("collection name", collectionName);
        Path staging = collectionsDir.resolve(".restoring-" + collectionName);
        try {
            options.disk().deleteTree(staging);
            Snapshots.extractTar(archive, staging);
            CollectionConfig original = readConfig(staging.resolve("collection.json"));
            CollectionConfig config = original.withName(collectionName);
            options.disk().writeAtomically(staging.resolve("collection.json"), ByteBuffer.wrap(configJson(config)));
            var check = new CollectionStore.Options(config.dimension(), config.metricImpl(),
                    new HnswParams(config.m(), config.efConstruction()), config.segmentCapacity(), Durability.FSYNC, 200, 1,
                    false, true, options.maxUnindexed(), 0, false);
            CollectionStore.open(options.disk(), staging, check).close(); // checks every file
            Path target = collectionsDir.resolve(collectionName);
            Path previous = null;
            Collection old = collections.remove(collectionName);
            failed.remove(collectionName);
            if (old != null) {
                old.close();
            }
            if (Files.exists(target)) {
                previous = collectionsDir.resolve(".dropped-" + collectionName + "-" + System.nanoTime());
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
                    openExisting(collectionName, target);
                }
                throw e;
            }
            collections.put(collectionName, c);
            if (previous != null) {
                options.disk().deleteTree(previous);
            }
            return c;
        } catch (IOException | StorageException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new StorageException("cannot restore collection '" + collectionName + "': " + e.getMessage(), e);
        } finally {
            try {
                options.disk().deleteTree(staging);
            } catch (IOException ignored) {
                // hidden; removed at the next open
            }
        }
    }

    public Path directory() {
        return root;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("database is closed");
        }
    }

    /** Closes every collection (sealing their in-memory segments) and releases the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sampler.close();
        collections.values().forEach(Collection::close);
        collections.clear();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the process is letting go of the directory either way
        }
    }
}
