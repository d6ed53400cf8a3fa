package io.vectorflow.cli.load;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Sends the points of a {@link VectorSource} to a server ({@link Target}: REST, {@code vectorflow.v1}
 * or Qdrant's gRPC API) in batches, several at once,
 * and remembers in a checkpoint file how far it got, so a rerun after an interruption starts
 * where the last run stopped.
 *
 * <h2>Checkpoint</h2>
 * One line, {@code points <n>}: the first {@code n} points of the file are acknowledged by the
 * server (batches finish out of order; only the unbroken prefix counts, so a resumed run resends
 * at most the batches that were in flight). Written atomically after each batch and kept when the
 * import completes, so running it again sends nothing (give a new checkpoint, or delete it, to send
 * everything again). Upserts by id, so a point sent twice is stored once.
 */
public final class Importer implements AutoCloseable {

    /**
     * @param url        the server: {@code http://127.0.0.1:6333}, {@code grpc://127.0.0.1:6334} or
     *                   {@code qdrant+grpc://127.0.0.1:6334} (see {@link Target})
     * @param apiKey     sent as {@code api-key}, or null
     * @param batch      points per request
     * @param parallel   requests in flight at once
     * @param checkpoint where progress is kept
     */
    public record Settings(URI url, String collection, String apiKey, int batch, int parallel, Path checkpoint) {}

    /** What a run did: points sent, points skipped as already imported, seconds. */
    public record Outcome(long sent, long skipped, double seconds) {}

    /** Progress so far: points acknowledged (skipped ones included) out of {@code total} (-1 unknown). */
    public record Progress(long done, long total, double seconds) {}

    private final Settings settings;
    private final Target target;

    public Importer(Settings settings) {
        if (settings.batch() < 1 || settings.parallel() < 1) {
            throw new IllegalArgumentException("batch and parallel must be at least 1");
        }
        this.settings = settings;
        this.target = Target.open(settings.url(), settings.collection(), settings.apiKey());
    }

    /** Creates the target collection unless it exists (see {@link Target#ensure}). */
    public void ensure(int dimension, String distance) throws IOException, InterruptedException {
        target.ensure(dimension, distance);
    }

    /** Points the checkpoint says are imported (0 without one). */
    public long resumePoint() throws IOException {
        Path c = settings.checkpoint();
        if (!Files.exists(c)) {
            return 0;
        }
        String text = Files.readString(c).strip();
        if (!text.matches("points \\d+")) {
            throw new IOException("checkpoint " + c + " is not one of this command's (delete it, or give --restart)");
        }
        return Long.parseLong(text.substring(7));
    }

    /**
     * Imports what {@code source} has left after the checkpoint; {@code stop} is polled between
     * batches (an interrupted run keeps its checkpoint).
     *
     * @throws IOException with the server's message when a batch is refused, or when it cannot be reached
     */
    public Outcome run(VectorSource source, Consumer<Progress> progress, BooleanSupplier stop) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long skipped = resumePoint();
        source.skip(skipped);
        long total = source.size();
        Semaphore inFlight = new Semaphore(settings.parallel());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong sent = new AtomicLong();
        // Finished batches by first point; the prefix below `done` is unbroken.
        TreeSet<long[]> finished = new TreeSet<>((a, b) -> Long.compare(a[0], b[0]));
        long[] done = {skipped};
        List<CompletableFuture<?>> running = new ArrayList<>();
        long next = skipped;
        while (failure.get() == null && !stop.getAsBoolean()) {
            List<VectorSource.Row> rows = new ArrayList<>(settings.batch());
            for (VectorSource.Row r; rows.size() < settings.batch() && (r = source.next()) != null; ) {
                rows.add(r);
            }
            if (rows.isEmpty()) {
                break;
            }
            long first = next;
            next += rows.size();
            inFlight.acquire();
            CompletableFuture<Void> answer;
            try {
                answer = target.upsert(rows);
            } catch (RuntimeException e) { // a batch the target cannot even send (an id its client refuses)
                answer = CompletableFuture.failedFuture(new IOException("a batch from point " + first + " cannot be sent: "
                        + e.getMessage(), e));
            }
            CompletableFuture<?> f = answer.whenComplete((ok, t) -> {
                try {
                    if (t != null) {
                        failure.compareAndSet(null, t);
                        return;
                    }
                    sent.addAndGet(rows.size());
                    synchronized (finished) {
                        finished.add(new long[] {first, rows.size()});
                        while (!finished.isEmpty() && finished.first()[0] == done[0]) {
                            done[0] += finished.pollFirst()[1];
                        }
                        writeCheckpoint(done[0]);
                        progress.accept(new Progress(done[0], total, (System.nanoTime() - start) / 1e9));
                    }
                } finally {
                    inFlight.release();
                }
            });
            running.add(f);
            running.removeIf(CompletableFuture::isDone);
        }
        for (CompletableFuture<?> f : running) {
            try {
                f.join();
            } catch (RuntimeException ignored) {
                // recorded in failure
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
        return new Outcome(sent.get(), skipped, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The default checkpoint of a run identified by {@code identity} (what it reads and where it
     * writes): {@code ~/.cache/vectorflow/imports/<kind>-<hash>.progress}.
     */
    public static Path defaultCheckpoint(String kind, String identity) {
        try {
            String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(identity.getBytes(StandardCharsets.UTF_8)));
            return Path.of(System.getProperty("user.home"), ".cache", "vectorflow", "imports", kind + "-" + hash.substring(0, 24)
                    + ".progress");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A progress line on standard error at most once a second:
     * {@code <label>: 45% (450,000/1,000,000) 12,345 points/s, 44 s left}; the rate counts only
     * this run's points (not the {@code resumed} ones).
     */
    public static Consumer<Progress> progressLine(String label, long resumed) {
        long[] last = {0};
        return p -> {
            long now = System.nanoTime();
            if (now - last[0] < 1_000_000_000L) {
                return;
            }
            last[0] = now;
            double rate = (p.done() - resumed) / Math.max(1e-9, p.seconds());
            System.err.printf("%s: %s %,d points/s%s%n", label, p.total() > 0 ? String.format("%d%% (%,d/%,d)",
                    100 * p.done() / p.total(), p.done(), p.total()) : String.format("%,d", p.done()), (long) rate,
                    p.total() > 0 && rate > 0 ? String.format(", %.0f s left", (p.total() - p.done()) / rate) : "");
        };
    }

    private void writeCheckpoint(long points) {
        try {
            Path c = settings.checkpoint();
            Files.createDirectories(c.toAbsolutePath().getParent());
            Path tmp = c.resolveSibling(c.getFileName() + ".tmp");
            Files.writeString(tmp, "points " + points + "\n");
            Files.move(tmp, c, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the checkpoint " + settings.checkpoint() + ": " + e.getMessage(), e);
        }
    }

    /** Closes the target's connections. */
    @Override
    public void close() {
        target.close();
    }
}
