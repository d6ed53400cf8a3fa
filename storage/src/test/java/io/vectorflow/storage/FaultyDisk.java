package io.vectorflow.storage;

import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fault injector: a {@link Disk} over the real file system that models what survives a power
 * cut, and fails chosen calls.
 *
 * <p>Model: a file's content survives only up to its last {@code force}; a name (creation,
 * rename, deletion) survives only once its directory was synced. {@link #powerCut()} rewrites the
 * real directory to exactly that surviving state. Files that existed before this disk first saw
 * them count as durable. Directory creation is treated as durable at once (a simplification: the
 * storage code syncs the parent after every rename that matters).
 *
 * <p>Faults: every mutating call (write, force, truncate, create, rename, delete, directory sync)
 * is numbered; call number {@link #failAt} throws an {@link IOException} ({@link #failMessage},
 * by default what a full disk says), and call
 * number {@link #cutAt} throws {@link PowerCut}, after which nothing more reaches the disk.
 * {@link #forceIsNoOp} makes {@code force} do nothing: the switch that shows the power-cut test
 * can see a missing force.
 */
final class FaultyDisk implements Disk {

    /** Thrown at the simulated moment of a power cut. */
    static final class PowerCut extends Error {
        PowerCut(String at) {
            super("power cut at " + at);
        }
    }

    private static final class Inode {
        byte[] durable = new byte[0];
    }

    long failAt = -1;
    /** What the failing call says; the default is what a full disk says. */
    String failMessage = "No space left on device";
    long cutAt = -1;
    boolean forceIsNoOp;
    private long ops;
    private boolean dead;
    private final Map<Path, Inode> live = new HashMap<>();
    private final Map<Path, Inode> durable = new HashMap<>();

    long operations() {
        return ops;
    }

    private synchronized void tick(String what) throws IOException {
        if (dead) {
            throw new PowerCut("(after the cut) " + what);
        }
        ops++;
        if (ops == cutAt) {
            dead = true;
            throw new PowerCut("operation " + ops + " (" + what + ")");
        }
        if (ops == failAt) {
            throw new IOException(failMessage + " (injected at operation " + ops + ", " + what + ")");
        }
    }

    private Inode inode(Path p) throws IOException {
        p = p.toAbsolutePath().normalize();
        Inode node = live.get(p);
        if (node == null && Files.isRegularFile(p)) {
            node = new Inode();
            node.durable = Files.readAllBytes(p);
            live.put(p, node);
            durable.put(p, node);
        }
        return node;
    }

    @Override
    public synchronized FileChannel open(Path file, OpenOption... options) throws IOException {
        List<OpenOption> opts = Arrays.asList(options);
        if (!opts.contains(StandardOpenOption.WRITE)) {
            return FileChannel.open(file, options);
        }
        Inode node = inode(file);
        if (node == null || opts.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            tick("create " + file.getFileName());
        }
        FileChannel real = FileChannel.open(file, options);
        if (node == null) {
            node = new Inode();
            live.put(file.toAbsolutePath().normalize(), node);
        }
        return new Tracking(real, node, file);
    }

    @Override
    public synchronized void move(Path from, Path to) throws IOException {
        tick("rename " + from.getFileName() + " -> " + to.getFileName());
        Path f = from.toAbsolutePath().normalize(), t = to.toAbsolutePath().normalize();
        if (Files.isDirectory(from)) {
            Map<Path, Inode> moved = new HashMap<>();
            for (var it = live.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().startsWith(f)) {
                    moved.put(t.resolve(f.relativize(e.getKey())), e.getValue());
                    it.remove();
                }
            }
            Disk.super.move(from, to);
            live.putAll(moved);
            // A directory rename is durable with its parent's sync; model the children as moving then.
            return;
        }
        inode(from);
        inode(to); // a file the rename replaces was durable if it existed before this disk saw it
        Disk.super.move(from, to);
        Inode node = live.remove(f);
        live.put(t, node);
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        tick("sync dir " + dir.getFileName());
        Path d = dir.toAbsolutePath().normalize();
        Map<Inode, Path> livePath = new HashMap<>();
        live.forEach((path, node) -> {
            if (path.startsWith(d)) {
                livePath.put(node, path);
            }
        });
        // Renames inside d's subtree (a directory renamed within d) and deletions in d become durable.
        for (var e : new HashMap<>(durable).entrySet()) {
            Path p = e.getKey();
            if (!p.startsWith(d) || live.get(p) == e.getValue()) {
                continue;
            }
            Path now = livePath.get(e.getValue());
            if (now != null) {
                durable.remove(p);
                durable.put(now, e.getValue());
            } else if (p.getParent().equals(d)) {
                durable.remove(p);
            }
        }
        // Names created directly in d become durable.
        live.forEach((path, node) -> {
            if (path.getParent().equals(d)) {
                durable.put(path, node);
            }
        });
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            tick("rmdir " + path.getFileName());
            Files.deleteIfExists(path);
            return;
        }
        Inode node = inode(path);
        if (node == null) {
            return;
        }
        tick("delete " + path.getFileName());
        Files.deleteIfExists(path);
        live.remove(path.toAbsolutePath().normalize());
    }

    /**
     * Rewrites the real files to what a power cut would have left: every tracked file is removed,
     * then each durable name is written back with its inode's last forced content.
     */
    synchronized void powerCut() throws IOException {
        dead = true;
        Set<Path> all = new HashSet<>(live.keySet());
        all.addAll(durable.keySet());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
        for (var e : durable.entrySet()) {
            Files.createDirectories(e.getKey().getParent());
            Files.write(e.getKey(), e.getValue().durable);
        }
    }

    /** A channel that numbers its mutating calls and records the content at each force. */
    private final class Tracking extends FileChannel {
        private final FileChannel real;
        private final Inode node;
        private final Path path;

        Tracking(FileChannel real, Inode node, Path path) {
            this.real = real;
            this.node = node;
            this.path = path;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            tick("write " + path.getFileName());
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            tick("write " + path.getFileName());
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            tick("truncate " + path.getFileName());
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            tick("force " + path.getFileName());
            if (forceIsNoOp) {
                return;
            }
            real.force(metaData);
            synchronized (FaultyDisk.this) {
                node.durable = Files.readAllBytes(path);
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            tick("write " + path.getFileName());
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            tick("write " + path.getFileName());
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public MemorySegment map(MapMode mode, long offset, long size, Arena arena) throws IOException {
            return real.map(mode, offset, size, arena);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
