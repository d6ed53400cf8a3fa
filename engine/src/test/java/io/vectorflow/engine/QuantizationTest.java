package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.dataset.Dataset;
import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.SegmentCodes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantized collections: codes built in the background for every sealed segment, searched with
 * rescoring at the recall of float walks, kept across restart, compaction and snapshot restore,
 * replaced when the setting changes and deleted when it is turned off.
 */
class QuantizationTest {

    private static final QuantizationSpec INT8 = new QuantizationSpec(QuantizationSpec.Scheme.INT8, 0.99f, true);

    @TempDir
    Path dir;

    private static void load(Collection c, Dataset d) {
        for (int from = 0; from < d.base().length; from += 1_000) {
            List<Point> batch = new ArrayList<>();
            for (int i = from; i < Math.min(d.base().length, from + 1_000); i++) {
                batch.add(Point.of(i, d.base()[i], java.util.Map.of("i", i)));
            }
            c.upsert(batch);
            c.flush(); // one small sealed segment per batch, for compaction to merge
        }
    }

    private static double recall(Collection c, Dataset d, QuantizationParams params) {
        double hits = 0;
        for (int q = 0; q < d.queries().length; q++) {
            Set<Integer> truth = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                truth.add(d.groundTruth()[q][i]);
            }
            SearchRequest r = SearchRequest.of(d.queries()[q], 10).withEf(16).withQuantization(params);
            for (ScoredPoint p : c.search(r).points()) {
                hits += truth.contains((int) p.id().lsb()) ? 1 : 0;
            }
        }
        return hits / (10.0 * d.queries().length);
    }

    private static void awaitCodes(Collection c) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.quantizationComplete() && System.nanoTime() < deadline) {
            c.search(SearchRequest.of(new float[c.dimension(null)], 1)); // a search asks for missing codes
            Thread.sleep(20);
        }
        assertThat(c.quantizationComplete()).as("codes built within a minute").isTrue();
    }

    private static List<Path> codeFiles(Collection c) {
        List<Path> out = new ArrayList<>();
        for (SealedSegment s : c.store().view().sealed()) {
            Path f = s.directory().resolve(SegmentCodes.file(0));
            if (Files.exists(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static String strategyExplained(Collection c, Dataset d) {
        SearchResult r = c.search(SearchRequest.of(d.queries()[0], 10).withExplain(true));
        return r.explain().toString();
    }

    @Test
    void int8CodesAreSearchedRescoredAndKept() throws Exception {
        Dataset d = CompactionTest.siftsmallOrSynthetic();
        Database.Options manual = Database.Options.defaults().withCompaction(false, 0);
        double floatRecall;
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.createCollection(CollectionConfig.of("sift", d.dimension(), "euclidean")
                    .withHnsw(16, 100).withSegmentCapacity(4_000).withQuantization(INT8));
            load(c, d);
            awaitCodes(c);
            int sealed = c.store().view().sealed().size();
            assertThat(sealed).isGreaterThanOrEqualTo(5);
            assertThat(codeFiles(c)).hasSize(sealed);
            assertThat(strategyExplained(c, d)).contains("\"quantization\":\"int8\"");
            floatRecall = recall(c, d, new QuantizationParams(true, true, 1));
            double int8 = recall(c, d, QuantizationParams.DEFAULT);
            double oversampled = recall(c, d, new QuantizationParams(false, true, 2));
            System.out.printf("siftsmall recall@10 ef 16: float %.4f, int8 %.4f, int8 oversampling 2 %.4f%n",
                    floatRecall, int8, oversampled);
            assertThat(int8).isGreaterThanOrEqualTo(0.95);
            assertThat(oversampled).isGreaterThanOrEqualTo(Math.min(floatRecall, int8) - 0.005);
            // Without rescoring the scores are the codes' estimates: close to, not equal to, the exact ones.
            SearchResult exact = c.search(SearchRequest.of(d.queries()[1], 1).withQuantization(new QuantizationParams(true, true, 1)));
            SearchResult coded = c.search(SearchRequest.of(d.queries()[1], 1).withQuantization(new QuantizationParams(false, false, 1)));
            assertThat(coded.points().getFirst().score()).isCloseTo(exact.points().getFirst().score(),
                    org.assertj.core.data.Percentage.withPercentage(5));

            assertThat(c.store().compact()).isPositive();
            awaitCodes(c);
            assertThat(codeFiles(c)).hasSize(c.store().view().sealed().size());
            assertThat(recall(c, d, QuantizationParams.DEFAULT)).isGreaterThanOrEqualTo(0.95);

            db.createSnapshot("sift", "q");
        }
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.collection("sift");
            assertThat(c.config().quantization()).isEqualTo(INT8);
            awaitCodes(c); // read from the files, not rebuilt
            assertThat(recall(c, d, QuantizationParams.DEFAULT)).isGreaterThanOrEqualTo(0.95);
            Collection copy;
            try (InputStream in = Files.newInputStream(db.snapshotFile("sift", "q"))) {
                copy = db.restoreSnapshot(in, "sift-copy");
            }
            assertThat(codeFiles(copy)).hasSize(copy.store().view().sealed().size());
            awaitCodes(copy);
            assertThat(recall(copy, d, QuantizationParams.DEFAULT)).isGreaterThanOrEqualTo(0.95);

            // Changing the scheme replaces the codes in the background; the collection answers throughout.
            c = db.updateCollection(c.config().withQuantization(
                    new QuantizationSpec(QuantizationSpec.Scheme.BINARY, 0.99f, true)));
            assertThat(c.search(SearchRequest.of(d.queries()[0], 10)).points()).hasSize(10);
            awaitCodes(c);
            assertThat(strategyExplained(c, d)).contains("\"quantization\":\"binary\"");
            assertThat(recall(c, d, new QuantizationParams(false, true, 4))).isGreaterThan(0.5);

            // Off: the files go, searches walk the float vectors again.
            c = db.updateCollection(c.config().withQuantization(null));
            Collection off = c;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!codeFiles(off).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(codeFiles(c)).isEmpty();
            assertThat(strategyExplained(c, d)).doesNotContain("quantization");
            assertThat(recall(c, d, QuantizationParams.DEFAULT)).isEqualTo(floatRecall, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void aDamagedCodesFileIsRebuilt() throws Exception {
        Dataset d = CompactionTest.siftsmallOrSynthetic();
        Database.Options manual = Database.Options.defaults().withCompaction(false, 0);
        List<Path> files;
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.createCollection(CollectionConfig.of("sift", d.dimension(), "euclidean")
                    .withHnsw(16, 64).withSegmentCapacity(5_000).withQuantization(INT8));
            load(c, d);
            awaitCodes(c);
            files = codeFiles(c);
        }
        byte[] bytes = Files.readAllBytes(files.getFirst());
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(files.getFirst(), bytes);
        try (Database db = Database.open(dir, manual)) {
            Collection c = db.collection("sift");
            awaitCodes(c);
            assertThat(recall(c, d, QuantizationParams.DEFAULT)).isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void binaryCodesRefuseManhattan() {
        assertThatThrownBy(() -> CollectionConfig.of("m", 8, "manhattan")
                .withQuantization(new QuantizationSpec(QuantizationSpec.Scheme.BINARY, 0.99f, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("manhattan");
    }
}
