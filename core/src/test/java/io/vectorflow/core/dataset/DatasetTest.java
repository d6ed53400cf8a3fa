package io.vectorflow.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vectorflow.core.TestData;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.core.search.ExactSearch;
import io.vectorflow.core.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

    @Test
    void vecsRoundTrip(@TempDir Path tmp) throws Exception {
        float[][] v = TestData.gaussian(1, 33, 5);
        int[][] ids = {{1, 2, 3}, {4, 5, 6}};
        VecsFiles.writeFvecs(tmp.resolve("x_base.fvecs"), v);
        VecsFiles.writeFvecs(tmp.resolve("x_query.fvecs"), new float[][] {v[0], v[1]});
        VecsFiles.writeIvecs(tmp.resolve("x_groundtruth.ivecs"), ids);
        Dataset d = Dataset.load(tmp, 0);
        assertThat(d.base()).isDeepEqualTo(v);
        assertThat(d.groundTruth()).isDeepEqualTo(ids);
        assertThat(Dataset.load(tmp, 10).base()).hasNumberOfRows(10);
        assertThat(Dataset.load(tmp, 10).groundTruth()).isNull();
    }

    @Test
    void truncatedFileIsAClearError(@TempDir Path tmp) throws Exception {
        VecsFiles.writeFvecs(tmp.resolve("a.fvecs"), TestData.gaussian(1, 3, 4));
        byte[] bytes = Files.readAllBytes(tmp.resolve("a.fvecs"));
        Files.write(tmp.resolve("b.fvecs"), java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> VecsFiles.readVectors(tmp.resolve("b.fvecs"), 0)).hasMessageContaining("not a whole number");
    }

    @Test
    void sharedSetsMatchTheirGroundTruth() throws Exception {
        for (String name : new String[] {"siftsmall", "bigann10k"}) {
            Path dir = TestData.shared(name).orElse(null);
            assumeTrue(dir != null, "shared/datasets not found");
            Dataset d = Dataset.load(dir, 0);
            assertThat(d.base()).hasNumberOfRows(10_000);
            assertThat(d.dimension()).isEqualTo(128);
            VectorStore store = VectorStore.allocate(128, d.base().length);
            for (float[] v : d.base()) {
                store.append(v);
            }
            float[][] firstQueries = java.util.Arrays.copyOf(d.queries(), 5);
            int[][] exact = new ExactSearch(store, Metrics.EUCLIDEAN).searchAll(firstQueries, 1, 2, null);
            for (int i = 0; i < 5; i++) {
                assertThat(exact[i][0]).as(name + " query " + i).isEqualTo(d.groundTruth()[i][0]);
            }
        }
    }

    @Test
    void syntheticDataIsDeterministicAndCached(@TempDir Path tmp) throws Exception {
        SyntheticData a = new SyntheticData(16, 42), b = new SyntheticData(16, 42);
        assertThat(a.base(25_000)).isDeepEqualTo(b.base(25_000));
        assertThat(a.queries(3)[0]).isNotEqualTo(a.base(1)[0]);
        assertThat(new SyntheticData(16, 43).base(1)[0]).isNotEqualTo(a.base(1)[0]);
        Dataset first = SyntheticData.cached(2000, 16, 20, 42, tmp, null);
        Dataset second = SyntheticData.cached(2000, 16, 20, 42, tmp, null);
        assertThat(second.base()).isDeepEqualTo(first.base());
        assertThat(second.groundTruth()).isDeepEqualTo(first.groundTruth());
        assertThat(first.groundTruth()[0]).hasSize(100);
    }
}
