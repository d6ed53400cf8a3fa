package io.vectorflow.storage.object;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} in a local directory (another disk, a network mount): each object a
 * file at its key's path below the root. A put writes a temporary file beside the target,
 * forces it to disk, renames it over the target atomically and forces the directory, so a crash
 * leaves the old object or the new one. Temporary files ({@code .<name>.<uuid>.part}) left by a
 * crash are not listed.
 */
public final class LocalObjectStore implements ObjectStore {

    private final Path root;

    /** A store rooted at {@code root}, created when missing. */
    public LocalObjectStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
    }

    private Path file(String key) {
        return root.resolve(ObjectKey.check(key));
    }

    @Override
    public void put(String key, Path source) throws IOException {
        write(key, tmp -> Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
        write(key, tmp -> Files.write(tmp, bytes));
    }

    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    private void write(String key, Writer writer) throws IOException {
        Path target = file(key);
        Path dir = Files.createDirectories(target.getParent());
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            writer.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(describe() + " cannot rename atomically (" + e.getMessage() + ")", e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public ByteBuffer read(String key, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative, got " + offset + ", " + length);
        }
        try (FileChannel ch = FileChannel.open(file(key), StandardOpenOption.READ)) {
            ByteBuffer out = ByteBuffer.allocate((int) Math.max(0, Math.min(length, ch.size() - offset)));
            while (out.hasRemaining() && ch.read(out, offset + out.position()) >= 0) {
                // positional reads until full or the end
            }
            return out.flip();
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(describe(), key);
        }
    }

    @Override
    public void download(String key, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            Files.copy(file(key), tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(describe(), key);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path f = file(key);
        return Files.isRegularFile(f) ? Optional.of(new ObjectInfo(key, Files.size(f))) : Optional.empty();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String p = ObjectKey.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        Path from = p.contains("/") ? root.resolve(p.substring(0, p.lastIndexOf('/'))) : root; // only below the prefix's folder
        if (!Files.isDirectory(from)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String key = root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                if (key.startsWith(p) && !f.getFileName().toString().startsWith(".")) {
                    out.add(new ObjectInfo(key, Files.size(f)));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public boolean delete(String key) throws IOException {
        return Files.deleteIfExists(file(key));
    }

    @Override
    public String describe() {
        return "the directory " + root;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
