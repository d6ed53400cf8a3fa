package io.vectorflow.engine;

import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.core.quant.QuantizedVectors;
import io.vectorflow.storage.CollectionStore;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import io.vectorflow.storage.segment.SegmentCodes;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a collection's sealed segments supplied with the quantized codes its
 * {@code quantization_config} asks for, in the background: at open it loads the codes files that
 * match and builds the missing ones; a segment sealed or compacted later gets its codes the first
 * time a search meets it without them; after the setting changed (the collection reopens) codes of
 * the old kind are replaced, and with quantization turned off their files are deleted. Until a
 * segment has its codes, searches walk its float vectors, so the collection answers throughout.
 *
 * <p>One thread for the whole process builds codes, segment after segment (int8 and binary codes
 * cost one pass over the vectors), started when there is work and let go when idle.
 */
final class Quantizer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Quantizer.class.getName());
    private static final ExecutorService BUILDS = builds();

    private final String collection;
    private final QuantizationSpec spec;
    private final CollectionStore store;
    private final Disk disk;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Segments whose codes could not be built: not tried again until the collection reopens. */
    private final Set<Long> failed = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Quantizer(CollectionConfig config, CollectionStore store, Disk disk) {
        this.collection = config.name();
        this.spec = config.quantization();
        this.store = store;
        this.disk = disk;
    }

    private static ExecutorService builds() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().daemon().name("vectorflow-quantize").factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Starts bringing every sealed segment's codes in line with the collection's setting. */
    void start() {
        kick();
    }

    /**
     * The codes a search of {@code s}'s dense slot walks on, or null to walk its float vectors
     * (no quantization, a segment still being written, or codes not built yet, which this asks for).
     */
    QuantizedVectors codes(Segment s, int slot) {
        if (spec == null || !(s instanceof SealedSegment sealed)) {
            return null;
        }
        QuantizedVectors q = sealed.codes().get(slot);
        if (matches(q, sealed)) {
            return q;
        }
        if (!failed.contains(sealed.number())) {
            kick();
        }
        return null;
    }

    /**
     * The codes a segment in the object tier is walked on: those in use, or its codes file loaded
     * now on this thread when the background has not got to it yet (right after a restart), so a
     * search never scans a cold segment's vectors for want of them. Null when it has none.
     */
    QuantizedVectors codesNow(SealedSegment s, int slot) {
        QuantizedVectors q = s.codes().get(slot);
        if (q == null && s.codes().hasFile(slot)) {
            try {
                q = s.codes().load(disk, slot, spec == null || spec.alwaysRam());
            } catch (IOException e) {
                return null;
            }
        }
        return q;
    }

    /**
     * Whether every sealed segment has the codes the setting asks for and no full segment is
     * still waiting to be sealed (true without quantization). The segment taking writes is
     * always walked on its float vectors.
     */
    boolean complete() {
        if (spec != null && !store.view().frozen().isEmpty()) {
            return false;
        }
        for (Segment s : store.view().all()) {
            if (spec != null && s instanceof SealedSegment sealed) {
                for (int slot = 0; slot < sealed.vectorSlots(); slot++) {
                    if (!matches(sealed.codes().get(slot), sealed)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Whether {@code q} are codes of the setting's kind for every point of {@code s}. */
    private boolean matches(QuantizedVectors q, SealedSegment s) {
        return q != null && spec.sameCodes(q.spec()) && q.size() == s.size();
    }

    private void kick() {
        if (!closed && scheduled.compareAndSet(false, true)) {
            BUILDS.execute(this::supply);
        }
    }

    private void supply() {
        scheduled.set(false);
        for (Segment s : store.view().all()) {
            if (closed) {
                return;
            }
            if (!(s instanceof SealedSegment sealed) || failed.contains(sealed.number())) {
                continue;
            }
            for (int slot = 0; slot < sealed.vectorSlots(); slot++) {
                try {
                    supply(sealed, slot);
                } catch (IOException | RuntimeException e) {
                    if (closed) {
                        return; // the collection closed under the build: its successor builds them
                    }
                    failed.add(sealed.number());
                    LOG.log(System.Logger.Level.WARNING, "collection ''{0}'': quantized codes of segment {1} not built: {2}",
                            collection, sealed.number(), e.toString());
                }
            }
        }
    }

    private void supply(SealedSegment s, int slot) throws IOException {
        SegmentCodes codes = s.codes();
        if (spec == null) {
            if (s.isCold()) {
                // its codes are how it is searched: the segment comes back before they go
                if (io.vectorflow.storage.SegmentTiers.promote(store, s)) {
                    kick();
                }
                return;
            }
            if (codes.get(slot) != null || codes.hasFile(slot)) {
                codes.drop(disk, slot);
            }
            return;
        }
        QuantizedVectors q = codes.get(slot);
        if (q == null) {
            q = codes.load(disk, slot, spec.alwaysRam());
        }
        if (matches(q, s)) {
            return;
        }
        if (s.isCold()) {
            // New codes are built from the float vectors: bring them back first (placement may
            // move the segment out again once it has its codes).
            if (io.vectorflow.storage.SegmentTiers.promote(store, s)) {
                kick();
            }
            return;
        }
        QuantizedVectors built = QuantizedVectors.build(spec, s.graph(slot).metric(), s.vectors(slot), s.size());
        if (!closed) {
            codes.install(disk, slot, built);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
