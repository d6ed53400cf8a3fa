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
 */
public final class Advice {

    public static final int RANDOM = 1;
    public static final int SEQUENTIAL = 2;
    public static final int WILLNEED = 3;
    public static final int HUGEPAGE = 14;
    private static final long PAGE = 4096;
    private static final MethodHandle MADVISE = lookup();

    private Advice() {}

    private static MethodHandle lookup() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        } catch (RuntimeException | LinkageError e) {
            return null;
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
