package io.vectorflow.core.eval;

import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.VectorStore;
import io.vectorflow.core.vector.VectorUtil;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** VectorFlow's HNSW index ({@link HnswIndex}) as an {@link AnnEngine}. */
public final class VectorFlowEngine implements AnnEngine {

    private final AtomicInteger built = new AtomicInteger();
    private final io.vectorflow.core.quant.QuantizationSpec quantization;
    private final double oversampling;
    private HnswIndex index;
    private io.vectorflow.core.quant.QuantizedVectors codes;

    /** Float vectors: the graph walks them. */
    public VectorFlowEngine() {
        this(null, 1);
    }

    /**
     * Quantized: the graph, built on the float vectors, is walked on codes of this spec, and the
     * best {@code k × oversampling} candidates are rescored with the float vectors.
     */
    public VectorFlowEngine(io.vectorflow.core.quant.QuantizationSpec quantization, double oversampling) {
        this.quantization = quantization;
        this.oversampling = oversampling;
    }

    @Override
    public String name() {
        return quantization == null ? "vectorflow" : "vectorflow-" + quantization.scheme().apiName();
    }

    @Override
    public String describeParams(HnswParams params) {
        return AnnEngine.super.describeParams(params) + (quantization == null ? ""
                : " codes=" + quantization.scheme().apiName() + " oversampling=" + oversampling);
    }

    @Override
    public void build(float[][] base, Metric metric, HnswParams params, int threads) throws InterruptedException {
        VectorStore store = VectorStore.allocate(base[0].length, base.length);
        for (float[] v : base) {
            store.append(metric.prepare(v));
        }
        HnswIndex idx = new HnswIndex(store, metric, params);
        int n = base.length;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    for (int ord; (ord = next.getAndIncrement()) < n; ) {
                        idx.insert(ord);
                        built.incrementAndGet();
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                    next.set(n);
                } finally {
                    finished.countDown();
                }
            }, "hnsw-build-" + t);
            worker.setDaemon(true);
            worker.start();
        }
        while (!finished.await(1, TimeUnit.SECONDS)) {
            // wait; progress is read through nodesBuilt()
        }
        if (error.get() != null) {
            throw new IllegalStateException("index build failed", error.get());
        }
        idx.connectComponents();
        index = idx;
        if (quantization != null) {
            long t0 = System.nanoTime();
            codes = io.vectorflow.core.quant.QuantizedVectors.build(quantization, metric, store, store.size());
            System.err.printf(java.util.Locale.ROOT, "%s: codes for %,d vectors in %.2f s%n", name(), store.size(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The built index. */
    public HnswIndex index() {
        return index;
    }

    @Override
    public int nodesBuilt() {
        return built.get();
    }

    @Override
    public double bytesPerVector() {
        // Quantized: what must stay in RAM, codes and graph; the float vectors are read only to
        // rescore a few candidates per query, and may stay on disk.
        long vectors = codes != null ? codes.bytes() : index.vectors().bytesUsed();
        return (vectors + index.graphBytesUsed()) / (double) index.size();
    }

    @Override
    public String kernels() {
        return VectorUtil.kernels().name();
    }

    @Override
    public Searcher newSearcher() {
        HnswIndex idx = index;
        io.vectorflow.core.quant.QuantizedVectors q = codes;
        Metric metric = idx.metric();
        return new Searcher() {
            private final SearchResults results = new SearchResults(10);

            @Override
            public int search(float[] query, int k, int ef, int[] out) {
                if (q == null) {
                    idx.search(query, k, ef, null, results);
                } else {
                    float[] prepared = metric.prepare(query);
                    int candidates = (int) Math.ceil(k * oversampling);
                    idx.search(q.scorer(prepared), candidates, Math.max(ef, candidates), null, results);
                    io.vectorflow.core.quant.QuantizedVectors.rescore(results, prepared, idx.vectors(), metric, k);
                }
                int n = results.size();
                for (int i = 0; i < n; i++) {
                    out[i] = results.ordinal(i);
                }
                return n;
            }

            @Override
            public long distanceEvaluations() {
                return results.distanceEvaluations();
            }
        };
    }
}
