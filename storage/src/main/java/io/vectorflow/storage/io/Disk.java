package io.vectorflow.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file-system call that changes durable state goes through here: opening channels (whose
 * writes and forces matter), atomic renames and directory syncs. The real implementation is
 * {@link #REAL}; tests substitute one that fails chosen calls or simulates a power cut, so the
 * storage code is tested against exactly the calls it makes.
 */
public interface Disk {

    /** The file system itself. */
    Disk REAL = new Disk() {};

    default FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, options);
    }

    /** Renames atomically, replacing {@code to} if it exists. Durable only after {@link #syncDirectory}. */
    default void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Forces a directory's entries (creations, renames, deletions) to disk. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    default void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    default void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /** Deletes a directory tree, deepest entries first; nothing when it does not exist. */
    default void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                delete(p);
            }
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that a crash at any moment leaves either the
     * old file or the new one, never a mix: write a temporary file, force it, rename it over the
     * target, force the directory.
     */
    default void writeAtomically(Path target, ByteBuffer content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
            ch.force(true);
        }
        move(tmp, target);
        syncDirectory(target.getParent());
    }
}
