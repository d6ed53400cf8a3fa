package io.vectorflow.bench.engines;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.vectorflow.core.eval.AnnEngine;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * jvector's in-memory graph ({@link GraphIndexBuilder} with hierarchy, {@link GraphSearcher}) over
 * on-heap vectors with exact scoring: no product quantization, no on-disk index.
 *
 * <p>Parameter mapping: jvector's single {@code maxDegree} is set to 2M, the degree HNSW engines
 * give level 0 where nearly all the search happens; {@code beamWidth} is efConstruction;
 * neighbour overflow 1.2 and alpha 1.2 are jvector's defaults. A search with beam width ef asks
 * for the top k with {@code rerankK = ef}, jvector's beam.
 */
public final class JVectorEngine implements AnnEngine {

    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private RandomAccessVectorValues vectors;
    private VectorSimilarityFunction similarity;
    private Metric metric;
    private ImmutableGraphIndex graph;
    private volatile GraphIndexBuilder builder;
    private int dim;

    @Override
    public String name() {
        return "jvector";
    }

    @Override
    public String describeParams(HnswParams params) {
        return "maxDegree=" + 2 * params.m() + " beamWidth=" + params.efConstruction() + " alpha=1.2 hierarchy";
    }

    @Override
    public void build(float[][] base, Metric metric, HnswParams params, int threads) throws IOException {
        dim = base[0].length;
        this.metric = metric;
        similarity = switch (metric.name()) {
            case "euclidean" -> VectorSimilarityFunction.EUCLIDEAN;
            case "cosine" -> VectorSimilarityFunction.DOT_PRODUCT; // on unit vectors
            case "dot" -> VectorSimilarityFunction.DOT_PRODUCT;
            default -> throw new UnsupportedOperationException("jvector has no " + metric.name() + " similarity");
        };
        List<VectorFloat<?>> list = new ArrayList<>(base.length);
        for (float[] v : base) {
            list.add(VTS.createFloatVector(metric.prepare(v).clone()));
        }
        vectors = new ListRandomAccessVectorValues(list, dim);
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            GraphIndexBuilder b = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(vectors, similarity),
                    dim, 2 * params.m(), params.efConstruction(), 1.2f, 1.2f, true, true, pool, pool);
            builder = b;
            graph = b.build(vectors);
        } finally {
            pool.shutdown();
        }
    }

    @Override
    public int nodesBuilt() {
        GraphIndexBuilder b = builder;
        return b == null ? 0 : b.getGraph().size(0);
    }

    @Override
    public double bytesPerVector() {
        long graphBytes = ((OnHeapGraphIndex) graph).ramBytesUsed();
        int n = vectors.size();
        return (graphBytes + (long) n * dim * Float.BYTES) / (double) n;
    }

    @Override
    public String kernels() {
        return LogCapture.vectorizationLine("io.github.jbellis.jvector", VectorizationProvider::getInstance);
    }

    @Override
    public Searcher newSearcher() {
        GraphSearcher searcher = new GraphSearcher(graph);
        return new Searcher() {
            private long visited;

            @Override
            public int search(float[] query, int k, int ef, int[] out) {
                DefaultSearchScoreProvider ssp = DefaultSearchScoreProvider.exact(VTS.createFloatVector(metric.prepare(query)),
                        similarity, vectors);
                SearchResult result = searcher.search(ssp, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
                visited = result.getVisitedCount();
                SearchResult.NodeScore[] nodes = result.getNodes();
                int n = Math.min(k, nodes.length);
                for (int i = 0; i < n; i++) {
                    out[i] = nodes[i].node;
                }
                return n;
            }

            @Override
            public long distanceEvaluations() {
                return visited;
            }
        };
    }
}
