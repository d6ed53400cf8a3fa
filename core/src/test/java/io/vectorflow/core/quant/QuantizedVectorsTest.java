package io.vectorflow.core.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectorflow.core.TestData;
import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.core.hnsw.HnswIndex;
import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.hnsw.NodeScorer;
import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.SearchResults;
import io.vectorflow.core.store.CorruptFileException;
import io.vectorflow.core.store.VectorStore;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuantizedVectorsTest {

    private static VectorStore store(float[][] base, Metric metric) {
        VectorStore store = VectorStore.allocate(base[0].length, base.length);
        for (float[] v : base) {
            store.append(metric.prepare(v));
        }
        return store;
    }

    private static HnswIndex graph(VectorStore store, Metric metric) {
        HnswIndex index = new HnswIndex(store, metric, new HnswParams(16, 100));
        IntStream.range(0, store.size()).parallel().forEach(index::insert);
        return index;
    }

    @ParameterizedTest
    @ValueSource(strings = {"euclidean", "cosine", "dot", "manhattan"})
    void int8DistancesStayWithinTheGridError(String metricName) {
        Metric metric = Metrics.byName(metricName);
        float[][] base = io.vectorflow.core.TestData.gaussian(7, 500, 96);
        VectorStore vectors = store(base, metric);
        ScalarCodes codes = (ScalarCodes) QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.INT8, 1f, true),
                metric, vectors, vectors.size());
        float step = codes.step();
        // quantile 1: no value is clipped, so every value is within half a step of its code
        float[] q = metric.prepare(base[3]);
        NodeScorer scorer = codes.scorer(q);
        for (int o = 0; o < base.length; o++) {
            float exact = metric.distance(q, vectors.get(o));
            float approx = scorer.distance(o);
            // each of the 96 terms moves by at most a few half steps (both sides are coded)
            double bound = switch (metricName) {
                case "euclidean" -> 96 * (step * Math.sqrt(exact / 96) * 2 + step * step);
                case "manhattan" -> 96 * step;
                default -> 96 * step * (2 * maxAbs(vectors) + step);
            };
            assertThat((double) Math.abs(approx - exact)).as("ordinal %d", o).isLessThanOrEqualTo(bound);
        }
    }

    private static float maxAbs(VectorStore vectors) {
        float m = 0;
        for (int o = 0; o < vectors.size(); o++) {
            for (float v : vectors.get(o)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    @Test
    void aQuantileClipsTheOutliersOnly() {
        float[][] base = io.vectorflow.core.TestData.gaussian(3, 2000, 32);
        base[5][7] = 1000f; // one outlier must not stretch the grid
        VectorStore vectors = store(base, Metrics.EUCLIDEAN);
        ScalarCodes codes = (ScalarCodes) QuantizedVectors.build(
                new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true), Metrics.EUCLIDEAN, vectors, vectors.size());
        assertThat(codes.lo()).isBetween(-4f, -2f);
        assertThat(codes.lo() + 255 * codes.step()).isBetween(2f, 4f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT8", "BINARY", "PRODUCT"})
    void codesSurviveAWriteAndOpen(String scheme, @TempDir Path dir) throws IOException {
        float[][] base = io.vectorflow.core.TestData.gaussian(11, 300, 70);
        VectorStore vectors = store(base, Metrics.COSINE);
        QuantizationSpec spec = new QuantizationSpec(QuantizationSpec.Scheme.valueOf(scheme), 0.98f, true);
        QuantizedVectors codes = QuantizedVectors.build(spec, Metrics.COSINE, vectors, vectors.size());
        Path file = dir.resolve("codes.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            codes.write(ch);
        }
        float[] q = Metrics.COSINE.prepare(base[9]);
        for (boolean inRam : new boolean[] {true, false}) {
            try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                QuantizedVectors opened = QuantizedVectors.open(mapped, inRam);
                assertThat(opened.spec().sameCodes(spec)).isTrue();
                assertThat(opened.size()).isEqualTo(300);
                assertThat(opened.bytes()).isEqualTo(codes.bytes());
                NodeScorer a = codes.scorer(q);
                NodeScorer b = opened.scorer(q);
                for (int o = 0; o < 300; o++) {
                    assertThat(b.distance(o)).isEqualTo(a.distance(o));
                }
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[100] ^= 1;
        Files.write(file, bytes);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            assertThatThrownBy(() -> QuantizedVectors.open(mapped, true)).isInstanceOf(CorruptFileException.class)
                    .hasMessageContaining("checksum");
        }
    }

    @Test
    void binaryRefusesManhattan() {
        VectorStore vectors = store(io.vectorflow.core.TestData.gaussian(1, 10, 8), Metrics.MANHATTAN);
        assertThatThrownBy(() -> QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.BINARY, 0.99f, true),
                Metrics.MANHATTAN, vectors, 10)).hasMessageContaining("manhattan");
    }

    /** Recall@10 of walks on the codes, rescoring the best {@code 10 × oversampling} with float vectors. */
    private static double recall(Dataset data, Metric metric, QuantizationSpec spec, int oversampling, int ef) {
        VectorStore vectors = store(data.base(), metric);
        HnswIndex index = graph(vectors, metric);
        QuantizedVectors codes = QuantizedVectors.build(spec, metric, vectors, vectors.size());
        SearchResults out = new SearchResults(10);
        long found = 0;
        for (int qi = 0; qi < data.queries().length; qi++) {
            float[] q = metric.prepare(data.queries()[qi]);
            int candidates = 10 * oversampling;
            index.search(codes.scorer(q), candidates, Math.max(ef, candidates), null, out);
            QuantizedVectors.rescore(out, q, vectors, metric, 10);
            Set<Integer> truth = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                truth.add(data.groundTruth()[qi][i]);
            }
            for (int i = 0; i < out.size(); i++) {
                found += truth.contains(out.ordinal(i)) ? 1 : 0;
            }
        }
        double recall = found / (10.0 * data.queries().length);
        System.out.printf("%s %s oversampling %d: recall@10 %.3f%n", data.name(), spec.scheme(), oversampling, recall);
        return recall;
    }

    @Test
    void int8WithRescoringKeepsSiftsmallRecall() throws IOException {
        Path dir = TestData.shared("siftsmall").orElse(null);
        assumeTrue(dir != null, "shared/datasets/siftsmall not found");
        Dataset data = Dataset.load(dir, 10_000);
        double recall = recall(data, Metrics.EUCLIDEAN, new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true), 2, 64);
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void productCodesWithRescoringKeepSiftsmallRecall() throws IOException {
        Path dir = TestData.shared("siftsmall").orElse(null);
        assumeTrue(dir != null, "shared/datasets/siftsmall not found");
        Dataset data = Dataset.load(dir, 10_000);
        // x16: 32 subspaces of 4 dimensions, one byte each (32 bytes for 512 of floats)
        double recall = recall(data, Metrics.EUCLIDEAN, new QuantizationSpec(QuantizationSpec.Scheme.PRODUCT, 0.99f, true, 16), 4, 64);
        assertThat(recall).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void productCodesApproximateEveryMetric() {
        float[][] base = io.vectorflow.core.TestData.gaussian(13, 3_000, 24);
        for (Metric metric : new Metric[] {Metrics.EUCLIDEAN, Metrics.COSINE, Metrics.DOT, Metrics.MANHATTAN}) {
            VectorStore vectors = store(base, metric);
            QuantizedVectors codes = QuantizedVectors.build(new QuantizationSpec(QuantizationSpec.Scheme.PRODUCT, 0.99f, true, 8),
                    metric, vectors, vectors.size());
            assertThat(codes.bytes()).isLessThan(4L * 24 * 3_000); // 12 bytes per vector plus the centroids
            float[] q = metric.prepare(base[42]);
            NodeScorer scorer = codes.scorer(q);
            // the estimates rank the stored vectors as the exact distances do, mostly: Spearman-like check on 200
            double agree = 0;
            int pairs = 0;
            for (int a = 0; a < 200; a += 2) {
                float ea = metric.distance(q, vectors.get(a)), eb = metric.distance(q, vectors.get(a + 1));
                float pa = scorer.distance(a), pb = scorer.distance(a + 1);
                agree += Math.signum(ea - eb) == Math.signum(pa - pb) ? 1 : 0;
                pairs++;
            }
            assertThat(agree / pairs).as(metric.name()).isGreaterThan(0.8);
        }
        assertThatThrownBy(() -> new QuantizationSpec(QuantizationSpec.Scheme.PRODUCT, 0.99f, true, 3))
                .hasMessageContaining("x4, x8, x16, x32 or x64");
    }

    @Test
    void binaryWithOversamplingFindsTheNeighboursOfNormalizedVectors() {
        SyntheticData gen = new SyntheticData(768, 42);
        float[][] base = gen.base(5_000);
        float[][] queries = gen.queries(100);
        Metric cosine = Metrics.COSINE;
        int[][] truth = new int[queries.length][10];
        VectorStore exact = store(base, cosine);
        for (int qi = 0; qi < queries.length; qi++) {
            float[] q = cosine.prepare(queries[qi]);
            truth[qi] = IntStream.range(0, base.length).boxed()
                    .sorted(java.util.Comparator.comparingDouble(o -> cosine.distance(q, exact.get(o))))
                    .limit(10).mapToInt(Integer::intValue).toArray();
        }
        Dataset data = new Dataset("synthetic-768", base, queries, truth);
        double recall = recall(data, cosine, new QuantizationSpec(QuantizationSpec.Scheme.BINARY, 0.99f, true), 4, 64);
        assertThat(recall).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void int8KernelsMatchTheScalarOnes() {
        var scalar = io.vectorflow.core.vector.VectorUtil.scalar();
        var simd = io.vectorflow.core.vector.VectorUtil.kernels();
        Random r = new Random(5);
        for (int dim = 1; dim <= 300; dim += 7) {
            byte[] q = new byte[dim];
            byte[] c = new byte[dim + 3];
            r.nextBytes(q);
            r.nextBytes(c);
            q[0] = -128;
            c[3] = -128; // the extremes: (−128)·(−128) and (−128 − 127)² must not overflow
            MemorySegment seg = MemorySegment.ofArray(c);
            MemorySegment nat = Arena.ofAuto().allocate(c.length);
            nat.copyFrom(seg);
            assertThat(simd.dotProductI8(q, nat, 3, dim)).isEqualTo(scalar.dotProductI8(q, nat, 3, dim));
            assertThat(simd.squareDistanceI8(q, nat, 3, dim)).isEqualTo(scalar.squareDistanceI8(q, nat, 3, dim));
            assertThat(simd.l1DistanceI8(q, nat, 3, dim)).isEqualTo(scalar.l1DistanceI8(q, nat, 3, dim));
            int dot = 0;
            for (int i = 0; i < dim; i++) {
                dot += q[i] * c[3 + i];
            }
            assertThat(scalar.dotProductI8(q, nat, 3, dim)).isEqualTo(dot);
        }
    }
}
