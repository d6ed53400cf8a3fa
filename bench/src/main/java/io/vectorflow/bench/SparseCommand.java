package io.vectorflow.bench;

import io.vectorflow.core.sparse.SparseIndex;
import io.vectorflow.core.sparse.SparseVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sparse search on generated data: documents and queries whose dimensions follow a Zipf
 * distribution over a vocabulary (as learned sparse embeddings and bag-of-words vectors do),
 * searched through {@link SparseIndex}; recall@10 against brute-force dot products, latency at one
 * client and throughput at several.
 */
@Command(name = "sparse", mixinStandardHelpOptions = true,
        description = "Sparse vector search on a generated Zipf-distributed set: recall, latency, QPS.")
final class SparseCommand implements Callable<Integer> {

    @Option(names = "--documents", defaultValue = "100000", description = "documents (default ${DEFAULT-VALUE})")
    int documents;

    @Option(names = "--vocabulary", defaultValue = "30000", description = "dimensions (default ${DEFAULT-VALUE})")
    int vocabulary;

    @Option(names = "--non-zeros", defaultValue = "100", description = "non-zeros per document (default ${DEFAULT-VALUE})")
    int nonZeros;

    @Option(names = "--query-non-zeros", defaultValue = "20", description = "non-zeros per query (default ${DEFAULT-VALUE})")
    int queryNonZeros;

    @Option(names = "--queries", defaultValue = "1000", description = "queries (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--threads", defaultValue = "2", description = "client threads for the throughput run (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "10", description = "seconds of the throughput run (default ${DEFAULT-VALUE})")
    int seconds;

    /** About {@code nnz} distinct dimensions drawn by a Zipf law (rank r with probability ~ 1/r), values in (0.1, 1.1). */
    static SparseVector zipf(Random r, int vocabulary, int nnz) {
        TreeMap<Integer, Float> entries = new TreeMap<>();
        while (entries.size() < nnz) {
            int dim = (int) Math.min(vocabulary - 1, Math.floor(Math.pow(vocabulary, r.nextDouble())) - 1);
            entries.put(dim, 0.1f + r.nextFloat());
        }
        int[] idx = new int[entries.size()];
        float[] val = new float[entries.size()];
        int i = 0;
        for (var e : entries.entrySet()) {
            idx[i] = e.getKey();
            val[i++] = e.getValue();
        }
        return new SparseVector(idx, val);
    }

    @Override
    public Integer call() throws Exception {
        Random r = new Random(42);
        List<SparseVector> docs = new ArrayList<>(documents);
        long t = System.nanoTime();
        SparseIndex.Builder b = new SparseIndex.Builder();
        for (int i = 0; i < documents; i++) {
            docs.add(zipf(r, vocabulary, nonZeros));
            b.add(i, docs.get(i));
            if ((i + 1) % 20_000 == 0) {
                System.err.printf(Locale.ROOT, "generated %,d/%,d documents%n", i + 1, documents);
            }
        }
        SparseIndex index = b.build();
        double build = (System.nanoTime() - t) / 1e9;
        List<SparseVector> qs = new ArrayList<>(queries);
        for (int i = 0; i < queries; i++) {
            qs.add(zipf(r, vocabulary, queryNonZeros));
        }
        // Recall@10 against brute force on a sample of the queries.
        int sample = Math.min(100, queries);
        double found = 0;
        for (int i = 0; i < sample; i++) {
            SparseVector q = qs.get(i);
            float[] s = new float[documents];
            for (int d = 0; d < documents; d++) {
                s[d] = docs.get(d).dot(q);
            }
            Integer[] order = new Integer[documents];
            for (int d = 0; d < documents; d++) {
                order[d] = d;
            }
            Arrays.sort(order, (x, y) -> s[x] != s[y] ? Float.compare(s[y], s[x]) : Integer.compare(x, y));
            Set<Integer> got = new HashSet<>();
            for (int o : index.search(q, 10, null, null).ordinals()) {
                got.add(o);
            }
            for (int k = 0; k < 10; k++) {
                found += got.contains(order[k]) ? 1 : 0;
            }
        }
        double recall = found / (sample * 10.0);
        for (int i = 0; i < Math.min(500, queries); i++) { // warm-up
            index.search(qs.get(i), 10, null, null);
        }
        long[] lat = new long[queries];
        long postings = 0;
        for (int i = 0; i < queries; i++) {
            long s = System.nanoTime();
            postings += index.search(qs.get(i), 10, null, null).postingsVisited();
            lat[i] = System.nanoTime() - s;
        }
        Arrays.sort(lat);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < threads; c++) {
            int seed = c;
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = seed; System.nanoTime() < end; i++) {
                    index.search(qs.get(i % qs.size()), 10, null, null);
                    done.incrementAndGet();
                }
            }));
        }
        for (Thread c : clients) {
            c.join();
        }
        System.out.printf(Locale.ROOT, "%nsparse: %,d documents × ~%d non-zeros (Zipf over %,d dimensions), queries ~%d non-zeros;"
                        + " index built in %.1f s, %,d entries, %,d MB%n%n| recall@10 | p50 µs | p99 µs | postings read per query"
                        + " | QPS, %d threads |%n|---|---|---|---|---|%n| %.4f | %.0f | %.0f | %,d | %,.0f |%n",
                documents, nonZeros, vocabulary, queryNonZeros, build, index.entries(), index.bytes() >> 20, threads, recall,
                lat[queries / 2] / 1e3, lat[(int) (queries * 0.99)] / 1e3, postings / queries, done.get() / (double) seconds);
        return 0;
    }
}
