package io.vectorflow.bench.engines;

import io.vectorflow.core.eval.AnnEngine;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene102.Lucene102HnswBinaryQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.MMapDirectory;

/**
 * Lucene's quantized HNSW formats through its codec, as an application uses them: int7 scalar
 * quantization ({@code Lucene99HnswScalarQuantizedVectorsFormat}, 7 bits) or BBQ binary codes
 * ({@code Lucene102HnswBinaryQuantizedVectorsFormat}). Documents are added in order to one
 * index, merged into one segment (the graph is built over the codes by the merge, on as many
 * workers as build threads), and searched with a beam of ef on the codes; the best
 * {@code k × oversampling} candidates are then rescored with the segment's float vectors, as
 * VectorFlow's quantized engines do, and the first k returned.
 */
public final class LuceneQuantizedEngine implements AnnEngine {

    /** Which of Lucene's quantized formats. */
    public enum Kind {
        INT7("lucene-int7"),
        BBQ("lucene-bbq");

        private final String engine;

        Kind(String engine) {
            this.engine = engine;
        }
    }

    private static final String FIELD = "v";
    private final Kind kind;
    private final double oversampling;
    private final AtomicInteger added = new AtomicInteger();
    private Path dir;
    private MMapDirectory directory;
    private DirectoryReader reader;
    private LeafReader leaf;
    private Metric metric;
    private VectorSimilarityFunction similarity;
    private long ramBytes;
    private int n;

    public LuceneQuantizedEngine(Kind kind, double oversampling) {
        this.kind = kind;
        this.oversampling = oversampling;
    }

    @Override
    public String name() {
        return kind.engine;
    }

    @Override
    public String describeParams(HnswParams params) {
        return AnnEngine.super.describeParams(params) + " oversampling=" + oversampling;
    }

    @Override
    public void build(float[][] base, Metric metric, HnswParams params, int threads) throws IOException {
        this.metric = metric;
        this.similarity = LuceneHnswEngine.similarity(metric);
        this.n = base.length;
        dir = Files.createTempDirectory("vectorflow-" + kind.engine);
        directory = new MMapDirectory(dir);
        ExecutorService merges = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        KnnVectorsFormat format = switch (kind) {
            case INT7 -> new Lucene99HnswScalarQuantizedVectorsFormat(params.m(), params.efConstruction(), threads, 7, false,
                    null, merges);
            case BBQ -> new Lucene102HnswBinaryQuantizedVectorsFormat(params.m(), params.efConstruction(), threads, merges);
        };
        IndexWriterConfig config = new IndexWriterConfig().setCodec(new Lucene103Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        }).setRAMBufferSizeMB(256).setUseCompoundFile(false);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (float[] v : base) {
                Document d = new Document();
                d.add(new KnnFloatVectorField(FIELD, metric.prepare(v), similarity));
                writer.addDocument(d);
                added.incrementAndGet();
            }
            writer.forceMerge(1); // one segment, one graph, documents in the order added
            writer.commit();
        } finally {
            if (merges != null) {
                merges.shutdown();
            }
        }
        reader = DirectoryReader.open(directory);
        leaf = reader.leaves().getFirst().reader();
        long files = 0;
        for (String f : directory.listAll()) {
            if (!f.endsWith(".vec")) { // the float vectors are read only to rescore: on disk, like VectorFlow's with codes
                files += directory.fileLength(f);
            }
        }
        ramBytes = files;
    }

    @Override
    public int nodesBuilt() {
        return added.get();
    }

    @Override
    public double bytesPerVector() {
        return ramBytes / (double) n;
    }

    @Override
    public String kernels() {
        return new LuceneHnswEngine().kernels();
    }

    @Override
    public Searcher newSearcher() {
        return new Searcher() {
            private final FloatVectorValues floats = floats();
            private long visited;

            private FloatVectorValues floats() {
                try {
                    return leaf.getFloatVectorValues(FIELD).copy();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public int search(float[] query, int k, int ef, int[] out) throws IOException {
                float[] q = metric.prepare(query);
                int candidates = (int) Math.ceil(k * oversampling);
                TopKnnCollector collector = new TopKnnCollector(Math.max(ef, candidates), Integer.MAX_VALUE);
                leaf.searchNearestVectors(FIELD, q, collector, AcceptDocs.fromLiveDocs(null, leaf.maxDoc()));
                visited = collector.visitedCount();
                TopDocs top = collector.topDocs();
                int m = Math.min(candidates, top.scoreDocs.length);
                long[] rescored = new long[m];
                for (int i = 0; i < m; i++) {
                    int doc = top.scoreDocs[i].doc;
                    float exact = metric.distance(q, floats.vectorValue(doc)); // dense field: ordinal == doc
                    rescored[i] = io.vectorflow.core.util.LongHeap.pack(exact, doc);
                }
                java.util.Arrays.sort(rescored);
                int r = Math.min(k, m);
                for (int i = 0; i < r; i++) {
                    out[i] = io.vectorflow.core.util.LongHeap.ordinal(rescored[i]);
                }
                return r;
            }

            @Override
            public long distanceEvaluations() {
                return visited;
            }
        };
    }

    @Override
    public void close() {
        try {
            if (reader != null) {
                reader.close();
            }
            if (directory != null) {
                directory.close();
            }
            if (dir != null) {
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
