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
    private HnswIndex index;

    @Override
    public String name() {
        return "vectorflow";
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
        return (index.vectors().bytesUsed() + index.graphBytesUsed()) / (double) index.size();
    }

    @Override
    public String kernels() {
        return VectorUtil.kernels().name();
    }

    @Override
    public Searcher newSearcher() {
        HnswIndex idx = index;
        return new Searcher() {
            private final SearchResults results = new SearchResults(10);

            @Override
            public int search(float[] query, int k, int ef, int[] out) {
                idx.search(query, k, ef, null, results);
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
