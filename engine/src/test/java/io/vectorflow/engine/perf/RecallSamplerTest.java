package io.vectorflow.engine.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecallSamplerTest {

    private static final int QUERIES = 1600;

    /** Feeds {@code n} samples of the given recalls (cycled) and waits until they are counted. */
    private static void feed(RecallSampler sampler, int n, int... permille) throws InterruptedException {
        int before = samples(sampler);
        for (int i = 0; i < n; i++) {
            int v = permille[i % permille.length];
            sampler.maybeSample("c", "hnsw", 64, () -> v);
        }
        awaitIdle(sampler, before + n);
    }

    private static int samples(RecallSampler sampler) {
        RecallSampler.Estimate e = sampler.estimate("c", "hnsw", 64);
        return e == null ? 0 : e.samples();
    }

    private static void awaitIdle(RecallSampler sampler, int samples) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((sampler.pending() > 0 || samples(sampler) < Math.min(samples, RecallSampler.WINDOW))
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** How many of {@value #QUERIES} queries the sampler chooses to re-run. */
    private static int reruns(RecallSampler sampler, int... permille) throws InterruptedException {
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < QUERIES; i++) {
            int v = permille[i % permille.length];
            sampler.maybeSample("c", "hnsw", 64, () -> {
                ran.incrementAndGet();
                return v;
            });
            if (i % 256 == 255) {
                awaitIdle(sampler, 0); // keep the queue from dropping re-runs
            }
        }
        awaitIdle(sampler, 0);
        Thread.sleep(20);
        return ran.get();
    }

    @Test
    void aSettledEstimateIsSampledLessOften() throws InterruptedException {
        try (RecallSampler sampler = new RecallSampler(1.0, 1.0)) {
            feed(sampler, RecallSampler.SETTLED_SAMPLES, 950, 1000);
            assertThat(sampler.estimate("c", "hnsw", 64).recall()).isBetween(0.97, 0.98);
            int ran = reruns(sampler, 975);
            // share 1 / 16 of 1,600 queries: about 100 (binomial, sd ~10)
            assertThat(ran).isBetween(40, 220);
        }
    }

    @Test
    void aWidelyVaryingEstimateKeepsTheFullShare() throws InterruptedException {
        try (RecallSampler sampler = new RecallSampler(1.0, 1.0)) {
            feed(sampler, RecallSampler.SETTLED_SAMPLES * 2, 0, 1000); // sd 0.5: far from settled
            assertThat(reruns(sampler, 0, 1000)).isEqualTo(QUERIES);
        }
    }

    @Test
    void aFreshRangeIsSampledAtTheFullShare() throws InterruptedException {
        try (RecallSampler sampler = new RecallSampler(1.0, 1.0)) {
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < RecallSampler.SETTLED_SAMPLES - 1; i++) {
                sampler.maybeSample("c", "hnsw", 64, () -> {
                    ran.incrementAndGet();
                    return 1000;
                });
            }
            awaitIdle(sampler, RecallSampler.SETTLED_SAMPLES - 1);
            assertThat(ran.get()).isEqualTo(RecallSampler.SETTLED_SAMPLES - 1);
        }
    }
}
