package io.vectorflow.engine;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.engine.index.PayloadIndexes;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.StoreOptions;
import io.vectorflow.storage.DiskFullException;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.Names;
import io.vectorflow.storage.Snapshots;
import io.vectorflow.storage.StorageException;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The snapshot archives of a database: {@code <dir>/snapshots/<collection>/<name>.snapshot}
 * (tar files, format in {@link Snapshots}), taken, listed, deleted, and checked when restored.
 *
 * <p>Work in progress is hidden: {@code .taking-*} (the hard-linked files being packed) and
 * {@code .partial-*} (the archive being written) inside a collection's folder, {@code .upload-*}
 * (an upload streamed to disk) in {@code snapshots/} itself. A finished archive is published by
 * an atomic rename, and whatever a crash leaves hidden is removed when the database opens.
 */
final class CollectionSnapshots {

    private static final String SUFFIX = ".snapshot";

    private final Path root;
    private final Disk disk;
    private final io.vectorflow.storage.crypto.Encryption encryption;
    private final Object publishing = new Object();

    CollectionSnapshots(Path root, Disk disk, io.vectorflow.storage.crypto.Encryption encryption) {
        this.root = root;
        this.disk = disk;
        this.encryption = encryption;
    }

    /** Deletes every hidden entry (work a crash interrupted) under the snapshots directory. */
    void removeLeftovers() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(root)) {
            entries = s.toList();
        }
        for (Path entry : entries) {
            if (entry.getFileName().toString().startsWith(".")) {
                disk.deleteTree(entry);
            } else if (Files.isDirectory(entry)) {
                try (Stream<Path> s = Files.list(entry)) {
                    for (Path p : s.filter(x -> x.getFileName().toString().startsWith(".")).toList()) {
                        disk.deleteTree(p);
                    }
                }
            }
        }
    }

    /** Packs a point-in-time copy of collection {@code c} (files in {@code dir}) as snapshot {@code name}. */
    Path create(Collection c, String name, Path dir) {
        Names.check("snapshot name", name);
        Path folder = root.resolve(c.name());
        Path archive = folder.resolve(name + SUFFIX);
        if (Files.exists(archive)) {
            throw new AlreadyExistsException("snapshot '" + name + "' of collection '" + c.name() + "' already exists");
        }
        String unique = name + "-" + System.nanoTime();
        Path staging = folder.resolve(".taking-" + unique);
        Path partial = folder.resolve(".partial-" + unique);
        try {
            c.store().snapshot(staging);
            Files.write(staging.resolve("collection.json"), ConfigFiles.json(c.config()));
            Path indexes = dir.resolve(PayloadIndexes.FILE);
            if (Files.exists(indexes)) {
                Files.copy(indexes, staging.resolve(PayloadIndexes.FILE));
            }
            Snapshots.writeTar(staging, partial, encryption);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            synchronized (publishing) { // publish without replacing one taken meanwhile
                if (Files.exists(archive)) {
                    throw new AlreadyExistsException("snapshot '" + name + "' of collection '" + c.name() + "' already exists");
                }
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            }
            return archive;
        } catch (IOException e) {
            throw DiskFullException.isDiskFull(e) ? DiskFullException.of(root.toAbsolutePath(), "the snapshot could not be written", e)
                    : new StorageException("cannot snapshot collection '" + c.name() + "': " + e, e);
        } finally {
            try {
                disk.deleteTree(staging);
                disk.delete(partial);
            } catch (IOException ignored) {
                // hidden; removed at the next open
            }
        }
    }

    /** Names of a collection's snapshots, sorted. */
    List<String> list(String collection) {
        Names.collection(collection);
        Path folder = root.resolve(collection);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        } catch (IOException e) {
            throw new StorageException("cannot list snapshots of '" + collection + "': " + e, e);
        }
    }

    /** The archive of a snapshot. */
    Path file(String collection, String name) {
        Names.collection(collection);
        Names.check("snapshot name", name);
        Path archive = root.resolve(collection).resolve(name + SUFFIX);
        if (!Files.isRegularFile(archive)) {
            throw new NotFoundException("snapshot '" + name + "' of collection '" + collection + "' does not exist");
        }
        return archive;
    }

    void delete(String collection, String name) {
        Path archive = file(collection, name);
        try {
            Files.delete(archive);
        } catch (IOException e) {
            throw new StorageException("cannot delete snapshot '" + name + "': " + e, e);
        }
    }

    /** A fresh hidden file for an upload to stream into. */
    Path newUploadFile() throws IOException {
        Files.createDirectories(root);
        return root.resolve(".upload-" + System.nanoTime() + "-" + Thread.currentThread().threadId());
    }

    /**
     * Unpacks an archive into {@code staging} (which must not exist) and checks every file by
     * opening it as a collection; returns its settings under {@code name}.
     *
     * @throws IllegalArgumentException naming what is wrong with the archive
     * @throws IOException when this machine's disk fails (a full disk, say), not the archive
     */
    CollectionConfig unpack(InputStream archive, Path staging, String name) throws IOException {
        try {
            Snapshots.extractTar(archive, staging, encryption);
        } catch (IOException e) {
            if (DiskFullException.isDiskFull(e)) {
                throw e;
            }
            throw new IllegalArgumentException("snapshot archive cannot be read (not a tar file, or cut short): " + e.getMessage(), e);
        }
        CollectionConfig config;
        try {
            config = ConfigFiles.read(staging.resolve("collection.json")).withName(name);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("snapshot archive holds no valid collection.json: " + e.getMessage(), e);
        }
        var check = new StoreOptions(config.dimension(), config.metricImpl(), config.hnswOf(0), config.segmentCapacity(),
                StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, Durability.FSYNC, 200, 1, false, true, 2, 0, false)
                .withVectors(config.moreVectorSlots(), config.sparseSlots()).withEncryption(encryption);
        try {
            CollectionStore.open(disk, staging, check).discard(); // checks every file, writes nothing
        } catch (IOException | RuntimeException e) {
            if (DiskFullException.isDiskFull(e)) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
            throw new IllegalArgumentException("snapshot archive is damaged: " + e.getMessage(), e);
        }
        try {
            PayloadIndexes.open(disk, staging, Json.MAPPER, Json::decode);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("snapshot archive holds an unreadable " + PayloadIndexes.FILE + ": " + e.getMessage(), e);
        }
        return config;
    }
}
