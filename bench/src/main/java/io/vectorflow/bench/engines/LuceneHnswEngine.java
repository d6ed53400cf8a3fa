package io.vectorflow.bench.engines;

import io.vectorflow.core.eval.AnnEngine;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's HNSW through its graph API ({@link HnswGraphBuilder} / {@link HnswConcurrentMergeBuilder}
 * to build, {@link HnswGraphSearcher} to search) over on-heap vectors, so no index, codec or
 * segment overhead is measured: the same work a Lucene segment does for one field.
 *
 * <p>Parameters map one to one: Lucene's {@code maxConn} is M (2M links on level 0, as in every
 * HNSW) and {@code beamWidth} is efConstruction. A search with beam width ef collects the top ef
 * (Lucene's way of widening the beam) and returns the first k.
 */
public final class LuceneHnswEngine implements AnnEngine {

    private FloatVectorValues vectors;
    private VectorSimilarityFunction similarity;
    private Metric metric;
    private OnHeapHnswGraph graph;
    private volatile OnHeapHnswGraph building;
    private int dim;

    @Override
    public String name() {
        return "lucene-hnsw";
    }

    @Override
    public void build(float[][] base, Metric metric, HnswParams params, int threads) throws IOException {
        dim = base[0].length;
        this.metric = metric;
        similarity = similarity(metric);
        vectors = FloatVectorValues.fromFloats(Arrays.stream(base).map(metric::prepare).toList(), dim);
        RandomVectorScorerSupplier scorers =
                DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(similarity, vectors);
        HnswGraphBuilder.randSeed = params.seed();
        HnswGraphBuilder single = HnswGraphBuilder.create(scorers, params.m(), params.efConstruction(), params.seed(),
                base.length);
        building = single.getGraph();
        if (threads == 1) {
            graph = single.build(base.length);
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                graph = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, params.m(),
                        params.efConstruction(), building, null).build(base.length);
            } finally {
                pool.shutdown();
            }
        }
    }

    /** Lucene's similarity for a metric (cosine as the dot product of unit vectors, as Lucene advises). */
    static VectorSimilarityFunction similarity(Metric metric) {
        return switch (metric.name()) {
            case "euclidean" -> VectorSimilarityFunction.EUCLIDEAN;
            case "cosine" -> VectorSimilarityFunction.DOT_PRODUCT;
            case "dot" -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
            default -> throw new UnsupportedOperationException("Lucene has no " + metric.name() + " similarity");
        };
    }

    @Override
    public int nodesBuilt() {
        OnHeapHnswGraph g = building;
        return g == null ? 0 : g.size();
    }

    @Override
    public double bytesPerVector() {
        return (graph.ramBytesUsed() + (long) graph.size() * dim * Float.BYTES) / (double) graph.size();
    }

    @Override
    public String kernels() {
        return LogCapture.vectorizationLine("org.apache.lucene", () -> {
            try {
                // Any similarity call loads Lucene's vectorization provider, which logs its choice.
                VectorSimilarityFunction.EUCLIDEAN.compare(new float[] {1f}, new float[] {2f});
            } catch (RuntimeException ignored) {
                // the log line is what counts
            }
        });
    }

    @Override
    public Searcher newSearcher() {
        return new Searcher() {
            private final ThreadGraph view = new ThreadGraph(graph);
            private long visited;

            @Override
            public int search(float[] query, int k, int ef, int[] out) throws IOException {
                TopKnnCollector collector = new TopKnnCollector(Math.max(k, ef), Integer.MAX_VALUE);
                HnswGraphSearcher.search(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(similarity, vectors, metric.prepare(query)),
                        collector, view, null);
                visited = collector.visitedCount();
                TopDocs top = collector.topDocs();
                int n = Math.min(k, top.scoreDocs.length);
                for (int i = 0; i < n; i++) {
                    out[i] = top.scoreDocs[i].doc;
                }
                return n;
            }

            @Override
            public long distanceEvaluations() {
                return visited;
            }
        };
    }

    /**
     * A per-thread cursor over a finished {@link OnHeapHnswGraph}: the graph's own
     * {@code seek}/{@code nextNeighbor} keep their position in the graph object, so threads
     * sharing it would trample each other (Lucene's readers give each search its own copy).
     */
    private static final class ThreadGraph extends HnswGraph {
        private final OnHeapHnswGraph graph;
        private int[] nodes;
        private int size;
        private int upto;

        ThreadGraph(OnHeapHnswGraph graph) {
            this.graph = graph;
        }

        @Override
        public void seek(int level, int target) {
            NeighborArray neighbors = graph.getNeighbors(level, target);
            nodes = neighbors.nodes();
            size = neighbors.size();
            upto = -1;
        }

        @Override
        public int nextNeighbor() {
            return ++upto < size ? nodes[upto] : DocIdSetIterator.NO_MORE_DOCS;
        }

        @Override
        public int neighborCount() {
            return size;
        }

        @Override
        public int size() {
            return graph.size();
        }

        @Override
        public int maxNodeId() {
            return graph.maxNodeId();
        }

        @Override
        public int numLevels() {
            return graph.numLevels();
        }

        @Override
        public int maxConn() {
            return graph.maxConn();
        }

        @Override
        public int entryNode() {
            return graph.entryNode();
        }

        @Override
        public NodesIterator getNodesOnLevel(int level) {
            return graph.getNodesOnLevel(level);
        }
    }
}
