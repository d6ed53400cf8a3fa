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
 * is zero, as {@link Arena#allocate} memory is. Small blocks come from {@code posix_memalign}.
 * Other systems, or a JVM without native access, fall back to {@link Arena#ofAuto()}; so does
 * {@code -Dvectorflow.hugepages=false}.
 *
 * <h2>Freeing</h2>
 * A block is freed when it becomes unreachable, by the garbage collector's cleaner. The collector
 * does not see native memory, so a heap with little garbage can leave a lot of native garbage
 * (a store's old block after it grew, a sealed segment's payloads) unfreed for a long time. This
 * class counts the bytes its blocks hold ({@link #liveBytes()}); when they have grown by
 * {@value #GC_NUDGE_MB} MiB (or half) since the last collection it asked for, it asks for one, at
 * most every {@value #GC_NUDGE_SECONDS} seconds, on a thread of its own, as the JDK does for
 * direct buffers ({@code -XX:+ExplicitGCInvokesConcurrent}, which the launcher sets, keeps that
 * collection concurrent).
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
    private static final MethodHandle MEMALIGN;
    private static final MethodHandle FREE;
    static final long GC_NUDGE_MB = 256;
    static final long GC_NUDGE_SECONDS = 5;
    private static final java.util.concurrent.atomic.AtomicLong LIVE = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong LIVE_AT_NUDGE = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong LAST_NUDGE = new java.util.concurrent.atomic.AtomicLong();

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        MethodHandle memalign = null;
        MethodHandle free = null;
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
                memalign = linker.downcallHandle(libc.find("posix_memalign").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
                free = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
            } catch (RuntimeException | LinkageError e) {
                Logger.getLogger(NativeMemory.class.getName()).log(Level.INFO,
                        "no native access ({0}); off-heap blocks use 4 KiB pages", e.toString());
                mmap = munmap = madvise = memalign = free = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
        MEMALIGN = memalign;
        FREE = free;
    }

    /** Bytes held by blocks this class allocated and the cleaner has not freed yet. */
    public static long liveBytes() {
        return LIVE.get();
    }

    /** Counts a new block; asks for a collection when blocks grew much since the last one asked for. */
    private static void allocated(long bytes) {
        long live = LIVE.addAndGet(bytes);
        long base = LIVE_AT_NUDGE.get();
        long now = System.nanoTime();
        long last = LAST_NUDGE.get();
        if (live - base > Math.max(GC_NUDGE_MB << 20, base / 2) && now - last > GC_NUDGE_SECONDS * 1_000_000_000L
                && LAST_NUDGE.compareAndSet(last, now)) {
            Thread.ofPlatform().daemon().name("vectorflow-native-gc").start(() -> {
                System.gc(); // native blocks that became unreachable are freed by the cleaner after it
                LIVE_AT_NUDGE.set(LIVE.get());
            });
        }
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
        if (MMAP == null) {
            return Arena.ofAuto().allocate(Math.max(1, bytes), alignment);
        }
        if (bytes < HUGE_PAGE_THRESHOLD) {
            return small(bytes, Math.max(alignment, 16));
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
            MemorySegment block = MemorySegment.ofAddress(start).reinterpret(bytes, Arena.ofAuto(), s -> {
                unmap(base, mapped);
                LIVE.addAndGet(-mapped);
            });
            int ignored = (int) MADVISE.invokeExact(block, bytes, MADV_HUGEPAGE); // advice only; failure is harmless
            allocated(mapped);
            return block;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("off-heap allocation of " + bytes + " bytes failed", e);
        }
    }

    /** A small zeroed block from {@code posix_memalign}, freed when unreachable. */
    private static MemorySegment small(long bytes, long alignment) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ADDRESS);
            int rc = (int) MEMALIGN.invokeExact(out, alignment, bytes);
            if (rc != 0) {
                throw new OutOfMemoryError("posix_memalign of " + bytes + " bytes failed (" + rc + ")");
            }
            long address = out.get(ADDRESS, 0).address();
            MemorySegment block = MemorySegment.ofAddress(address).reinterpret(bytes, Arena.ofAuto(), s -> {
                release(address);
                LIVE.addAndGet(-bytes);
            });
            block.fill((byte) 0);
            allocated(bytes);
            return block;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("off-heap allocation of " + bytes + " bytes failed", e);
        }
    }

    private static void release(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable e) {
            throw new IllegalStateException("free failed", e);
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
