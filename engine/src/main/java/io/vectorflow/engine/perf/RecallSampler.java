package io.vectorflow.engine.perf;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Estimates the recall of approximate searches as they are served: a share of recent queries is
 * re-run exactly on a background thread, and recall@k (returned ids that are among the exact
 * top k, over how many the exact search found, at most k) is kept per collection, per strategy
 * and per {@code ef} range. A response then carries the mean over the last
 * {@value #WINDOW} samples of its own range.
 *
 * <p>Bounded cost: the queue holds at most {@value #QUEUE} waiting queries (more are dropped), and
 * the thread sleeps after each exact search so that it uses at most {@code dutyCycle} of one core.
 *
 * <p>Adaptive: once a range's estimate is settled (at least {@value #SETTLED_SAMPLES} samples and a
 * standard error of the mean at most {@value #SETTLED_ERROR}), its queries are re-run at
 * {@code share / }{@value #SETTLED_DIVISOR}, enough to follow a drift without paying for samples
 * that no longer move the estimate; a range whose recall varies widely keeps the full share.
 */
public final class RecallSampler implements AutoCloseable {

    /** Samples kept per range; the estimate is their mean. */
    public static final int WINDOW = 1024;
    private static final int QUEUE = 1024;
    /** Samples a range needs before its sampling rate may drop. */
    static final int SETTLED_SAMPLES = 128;
    /** The standard error of the mean under which a range's estimate counts as settled. */
    static final double SETTLED_ERROR = 0.005;
    /** How much less often a settled range is sampled. */
    static final int SETTLED_DIVISOR = 16;

    private final double share;
    private final double dutyCycle;
    private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, Window> stats = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param share     fraction of approximate queries to re-run, 0 to 1 (0 turns sampling off)
     * @param dutyCycle most of one core the exact re-runs may use, above 0 up to 1
     */
    public RecallSampler(double share, double dutyCycle) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("recall sample share must be between 0 and 1, got " + share);
        }
        if (!(dutyCycle > 0 && dutyCycle <= 1)) {
            throw new IllegalArgumentException("recall sampler duty cycle must be in (0, 1], got " + dutyCycle);
        }
        this.share = share;
        this.dutyCycle = dutyCycle;
        this.thread = Thread.ofPlatform().daemon().name("vectorflow-recall-sampler").unstarted(this::run);
        if (share > 0) {
            thread.start();
        }
    }

    /** The share of queries re-run. */
    public double share() {
        return share;
    }

    /** The range an {@code ef} falls in: powers of two, "1-8", "9-16", ..., "513+". */
    public static String efRange(int ef) {
        if (ef <= 8) {
            return "1-8";
        }
        int hi = Integer.highestOneBit(ef - 1) << 1;
        return hi > 512 ? "513+" : (hi / 2 + 1) + "-" + hi;
    }

    private static String key(String collection, String strategy, int ef) {
        return collection + '\u0000' + strategy + '\u0000' + efRange(ef);
    }

    /**
     * Decides whether to re-run this query; if so, queues {@code exactRecall} (which runs the
     * exact search and returns recall in thousandths, or -1 when there is nothing to compare).
     */
    public void maybeSample(String collection, String strategy, int ef, IntSupplier exactRecall) {
        if (share <= 0 || closed) {
            return;
        }
        String key = key(collection, strategy, ef);
        Window known = stats.get(key);
        double p = known != null && known.settled() ? share / SETTLED_DIVISOR : share;
        if (ThreadLocalRandom.current().nextDouble() >= p) {
            return;
        }
        queue.offer(() -> {
            int permille = exactRecall.getAsInt();
            if (permille >= 0) {
                stats.computeIfAbsent(key, k -> new Window()).add(permille / 1000.0);
            }
        });
    }

    /** The current estimate for this collection, strategy and ef, or null before any sample. */
    public Estimate estimate(String collection, String strategy, int ef) {
        Window w = stats.get(key(collection, strategy, ef));
        return w == null ? null : w.estimate();
    }

    /** Every range of one collection with its estimate, keyed "strategy ef-range". */
    public Map<String, Estimate> estimates(String collection) {
        Map<String, Estimate> out = new java.util.TreeMap<>();
        stats.forEach((k, w) -> {
            String[] parts = k.split("\u0000");
            if (parts[0].equals(collection)) {
                out.put(parts[1] + " ef " + parts[2], w.estimate());
            }
        });
        return out;
    }

    /** Forgets a collection's samples (it was dropped or replaced). */
    public void forget(String collection) {
        stats.keySet().removeIf(k -> k.startsWith(collection + '\u0000'));
    }

    /** Queries waiting to be re-run. */
    public int pending() {
        return queue.size();
    }

    /** Mean recall and the number of samples behind it. */
    public record Estimate(double recall, int samples) {}

    private void run() {
        while (!closed) {
            try {
                Runnable task = queue.poll(200, TimeUnit.MILLISECONDS);
                if (task == null) {
                    continue;
                }
                long start = System.nanoTime();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // the collection closed or changed under the re-run: skip this sample
                }
                long spent = System.nanoTime() - start;
                TimeUnit.NANOSECONDS.sleep((long) (spent * (1 / dutyCycle - 1)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        queue.clear();
    }

    /** The last {@value #WINDOW} recalls of one range. */
    private static final class Window {
        private final double[] values = new double[WINDOW];
        private int count;
        private int next;
        private double sum;
        private double sumOfSquares;
        private volatile boolean settled;

        synchronized void add(double v) {
            if (count == WINDOW) {
                sum -= values[next];
                sumOfSquares -= values[next] * values[next];
            } else {
                count++;
            }
            values[next] = v;
            sum += v;
            sumOfSquares += v * v;
            next = (next + 1) % WINDOW;
            double mean = sum / count;
            double variance = Math.max(0, sumOfSquares / count - mean * mean);
            settled = count >= SETTLED_SAMPLES && variance / count <= SETTLED_ERROR * SETTLED_ERROR;
        }

        /** Whether the estimate is settled: enough samples, and a small standard error. */
        boolean settled() {
            return settled;
        }

        synchronized Estimate estimate() {
            return new Estimate(count == 0 ? Double.NaN : sum / count, count);
        }
    }
}
