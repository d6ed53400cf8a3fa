package io.vectorflow.core.store;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Off-heap memory for vectors and graph links, freed by the garbage collector.
 *
 * <p>Large blocks on Linux come straight from {@code mmap} with {@code madvise(MADV_HUGEPAGE)},
 * aligned to 2 MiB, so that where transparent huge pages are enabled ({@code always} or
 * {@code madvise}, the common default) the kernel backs them with 2 MiB pages. A graph search
 * touches vectors all over a large block; with 4 KiB pages nearly every hop also misses the TLB
 * and walks the page table, with 2 MiB pages the TLB covers gigabytes. Memory from {@code mmap}
 * is zero, as {@link Arena#allocate} memory is. Small blocks, other systems, or a JVM without
 * native access fall back to {@link Arena#ofAuto()}; so does {@code -Dvectorflow.hugepages=false}.
 */
public final class NativeMemory {

    /** Blocks at least this large are mapped with huge-page advice. */
    public static final long HUGE_PAGE_THRESHOLD = 4L << 20;
    private static final long HUGE_PAGE = 2L << 20;

    /**
     * An empty native segment, shared: what a store or graph holds before its first element, so
     * that nothing is allocated for an empty one (and kernels still see one segment class).
     */
    public static final MemorySegment EMPTY = Arena.global().allocate(64, 64).asSlice(0, 0);

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        boolean wanted = !"false".equals(System.getProperty("vectorflow.hugepages"));
        if (wanted && System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                Logger.getLogger(NativeMemory.class.getName()).log(Level.INFO,
                        "no native access ({0}); off-heap blocks use 4 KiB pages", e.toString());
                mmap = munmap = madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private NativeMemory() {}

    /**
     * The same memory as {@code segment}, with the same lifetime and access mode, as a plain native
     * segment. Every segment the distance kernels read must be of one implementation class: a
     * kernel call site that has seen both allocated and {@code FileChannel.map}ped segments becomes
     * polymorphic, and the JIT then compiles the Vector API loads less well or (after a deopt) not
     * at all. Measured on this project's 64-d cosine kernel: 7.3 ns per distance over one class,
     * 11 ns over both. Mapped files are therefore read through this view; the mapping itself (and
     * its {@link MemorySegment#isMapped()}) stays with the caller that owns it.
     */
    public static MemorySegment nativeView(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("not a native segment: " + segment);
        }
        MemorySegment view = segment.reinterpret(segment.byteSize());
        return segment.isReadOnly() ? view.asReadOnly() : view;
    }

    /**
     * Zeroed memory of {@code bytes} bytes aligned to {@code alignment} (a power of two of at
     * most 2 MiB), released when the returned segment becomes unreachable.
     */
    public static MemorySegment allocate(long bytes, long alignment) {
        if (bytes < 0 || Long.bitCount(alignment) != 1 || alignment > HUGE_PAGE) {
            throw new IllegalArgumentException("bad size or alignment: " + bytes + ", " + alignment);
        }
        if (bytes == 0) {
            return EMPTY;
        }
        if (MMAP == null || bytes < HUGE_PAGE_THRESHOLD) {
            return Arena.ofAuto().allocate(Math.max(1, bytes), alignment);
        }
        try {
            long mapped = bytes + HUGE_PAGE; // room to align the start to a huge page
            MemorySegment raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            long base = raw.address();
            if (base == -1L) {
                throw new OutOfMemoryError("mmap of " + mapped + " bytes failed");
            }
            long start = (base + HUGE_PAGE - 1) & -HUGE_PAGE;
            // The segment's lifetime is an automatic arena: when it is unreachable, unmap the region.
            MemorySegment block = MemorySegment.ofAddress(start).reinterpret(bytes, Arena.ofAuto(), s -> unmap(base, mapped));
            int ignored = (int) MADVISE.invokeExact(block, bytes, MADV_HUGEPAGE); // advice only; failure is harmless
            return block;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("off-heap allocation of " + bytes + " bytes failed", e);
        }
    }

    private static void unmap(long base, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(base), length);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
