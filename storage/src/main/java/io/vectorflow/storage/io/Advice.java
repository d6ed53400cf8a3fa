package io.vectorflow.storage.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code madvise(2)} on mapped segment files, through the FFM linker: the kernel's page cache
 * decides what of a mapped file is in memory, and these hints tell it how we will read.
 *
 * <ul>
 *   <li>{@link #WILLNEED}: vectors of a segment being opened; start reading them in now.
 *   <li>{@link #RANDOM}: a graph is read by pointer chasing; read-ahead would only waste I/O and
 *       evict useful pages when the file is larger than memory.
 *   <li>{@link #HUGEPAGE}: 2 MiB pages where the kernel can back file mappings with them
 *       ({@code CONFIG_READ_ONLY_THP_FOR_FS}); elsewhere the call fails and is ignored.
 * </ul>
 * Every hint is advisory: on other systems, or when the call fails, nothing changes but speed.
 *
 * <p>Also here: {@link #isResident} ({@code mincore(2)}), which the query path samples to report
 * how much of what a search read was already in memory, and {@link #dropPageCache}, which evicts a
 * mapped file's pages ({@code MADV_DONTNEED} on the mapping, then {@code posix_fadvise(2)} with
 * {@code POSIX_FADV_DONTNEED} on the file) so benchmarks and tests can measure a cold read.
 */
public final class Advice {

    public static final int RANDOM = 1;
    public static final int SEQUENTIAL = 2;
    public static final int WILLNEED = 3;
    public static final int HUGEPAGE = 14;
    /** Undo {@link #HUGEPAGE}: fault in 4 KiB pages. */
    public static final int NOHUGEPAGE = 15;
    /** Drop the pages of a mapping; only ever given for file mappings, whose pages read back from the file. */
    public static final int DONTNEED = 4;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final long PAGE = 4096;
    private static final MethodHandle MADVISE = lookup("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MINCORE = lookup("mincore", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle FADVISE = lookup("posix_fadvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OPEN = lookup("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = lookup("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** One byte per thread for mincore's answer, so a residency probe allocates nothing. */
    private static final ThreadLocal<MemorySegment> VEC = ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(1));

    private Advice() {}

    private static MethodHandle lookup(String function, FunctionDescriptor descriptor) {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find(function).orElseThrow(), descriptor);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Whether the page holding {@code address} is in memory ({@code mincore(2)}); true where the
     * call is unavailable or fails, so an unknown counts as a hit rather than inventing misses.
     */
    public static boolean isResident(long address) {
        if (MINCORE == null) {
            return true;
        }
        MemorySegment vec = VEC.get();
        try {
            if ((int) MINCORE.invokeExact(MemorySegment.ofAddress(address & -PAGE), PAGE, vec) != 0) {
                return true;
            }
        } catch (Throwable e) {
            return true;
        }
        return (vec.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 1) != 0;
    }

    /**
     * Evicts the pages of a read-only file mapping and of its file from memory, so the next read
     * goes to the disk. Never call it on anonymous memory: {@code MADV_DONTNEED} zeroes that.
     * Returns whether both calls succeeded.
     */
    public static boolean dropPageCache(MemorySegment mapping, java.nio.file.Path file) {
        if (!mapping.isMapped()) {
            throw new IllegalArgumentException("not a file mapping: dropping its pages would lose data");
        }
        boolean ok = advise(mapping, DONTNEED);
        if (FADVISE == null || OPEN == null) {
            return false;
        }
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), 0);
            if (fd < 0) {
                return false;
            }
            ok &= (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED) == 0;
            int closed = (int) CLOSE.invokeExact(fd);
            return ok && closed == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Gives {@code advice} for the pages under {@code segment}; returns whether the kernel took it. */
    public static boolean advise(MemorySegment segment, int advice) {
        if (MADVISE == null || !segment.isNative() || segment.byteSize() == 0) {
            return false;
        }
        long start = segment.address() & -PAGE;
        long length = segment.address() + segment.byteSize() - start;
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), length, advice) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
