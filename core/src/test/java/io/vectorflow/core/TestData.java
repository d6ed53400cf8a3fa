package io.vectorflow.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/** Locates the shared benchmark data sets and makes random vectors for tests. */
public final class TestData {

    private TestData() {}

    /**
     * The directory of a shared data set ({@code siftsmall}, {@code bigann10k}): from
     * {@code $VECTORFLOW_DATASETS}, else a {@code shared/datasets} directory found walking up from
     * the working directory (the layout the project's checkouts and CI use).
     */
    public static Optional<Path> shared(String name) {
        String env = System.getenv("VECTORFLOW_DATASETS");
        if (env != null && Files.isDirectory(Path.of(env, name))) {
            return Optional.of(Path.of(env, name));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("datasets").resolve(name);
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public static float[][] gaussian(long seed, int n, int dim) {
        Random rnd = new Random(seed);
        float[][] out = new float[n][dim];
        for (float[] v : out) {
            for (int i = 0; i < dim; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
        }
        return out;
    }
}
