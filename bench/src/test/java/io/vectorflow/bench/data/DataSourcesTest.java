package io.vectorflow.bench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.vectorflow.core.metric.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {

    /** An ann-benchmarks file: train, test, neighbors, distances and a root "distance" attribute. */
    private static Path annBenchmarksFile(Path dir, String distance) {
        Path file = dir.resolve("tiny-3-" + distance + ".hdf5");
        try (WritableHdfFile out = HdfFile.write(file)) {
            out.putDataset("train", new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}});
            out.putDataset("test", new float[][] {{0.9f, 0.1f, 0}, {0, 0, 2}});
            out.putDataset("neighbors", new int[][] {{0, 3}, {2, 0}});
            out.putDataset("distances", new float[][] {{0.1f, 0.9f}, {1f, 2.2f}});
            out.putAttribute("distance", distance);
        }
        return file;
    }

    @Test
    void readsAnnBenchmarksHdf5(@TempDir Path tmp) throws IOException {
        DataSources.Loaded loaded = DataSources.load(annBenchmarksFile(tmp, "angular").toString(), 0, 42, tmp, s -> { });
        assertThat(loaded.metric()).isEqualTo(Metrics.COSINE);
        assertThat(loaded.data().name()).isEqualTo("tiny-3-angular");
        assertThat(loaded.data().base()).hasNumberOfRows(4);
        assertThat(loaded.data().base()[3]).containsExactly(1f, 1f, 0f);
        assertThat(loaded.data().queries()[1]).containsExactly(0f, 0f, 2f);
        assertThat(loaded.data().groundTruth()[1]).containsExactly(2, 0);

        assertThat(DataSources.load(annBenchmarksFile(tmp, "euclidean").toString(), 0, 42, tmp, s -> { }).metric())
                .isEqualTo(Metrics.EUCLIDEAN);
    }

    @Test
    void refusesAFileThatIsNotAnnBenchmarksHdf5(@TempDir Path tmp) throws IOException {
        Path bogus = Files.writeString(tmp.resolve("bogus.hdf5"), "not hdf5 at all");
        assertThatThrownBy(() -> DataSources.load(bogus.toString(), 0, 42, tmp, s -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("bogus.hdf5");
    }

    @Test
    void generatesSyntheticSetsAndNamesUnknownOnes(@TempDir Path tmp) throws IOException {
        DataSources.Loaded s = DataSources.load("synthetic:500x8", 20, 7, tmp, line -> { });
        assertThat(s.data().base()).hasNumberOfRows(500);
        assertThat(s.data().queries()).hasNumberOfRows(20);
        assertThat(s.data().dimension()).isEqualTo(8);
        assertThatThrownBy(() -> DataSources.load("no-such-set", 20, 7, tmp, line -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-set");
    }
}
