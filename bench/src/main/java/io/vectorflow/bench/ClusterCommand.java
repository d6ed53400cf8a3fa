package io.vectorflow.bench;

import io.vectorflow.cluster.ClusterNode;
import io.vectorflow.cluster.ShardSpec;
import io.vectorflow.cluster.ShardedCollection;
import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.SearchRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftPeer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cluster}: three cluster nodes in this process, on loopback, one machine: so ratios
 * between settings, not what separate machines would do. For replication factors 1, 2 and 3
 * (three shards each): acknowledged ingest rate with concurrent writers, then search QPS with
 * concurrent searchers (linearizable reads from each shard's leader, top 10 merged over the
 * shards); at replication factor 3, the time from stopping a shard leader's node to the next
 * acknowledged write. Each setting is measured {@code --rounds} times on fresh nodes; medians.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Three nodes on loopback: ingest and search QPS with 1, 2 and 3 replicas, failover time after a leader stops.")
final class ClusterCommand implements Callable<Integer> {

    @Option(names = "--points", defaultValue = "30000", description = "points ingested per run (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--dim", defaultValue = "128", description = "dimension (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--queries", defaultValue = "3000", description = "searches per run (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--clients", defaultValue = "8", description = "concurrent writers and searchers (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rounds", defaultValue = "3", description = "runs per setting (default ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        float[][] base = new SyntheticData(dim, 42).base(points);
        float[][] qs = new SyntheticData(dim, 42).queries(Math.min(queries, 1000));
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "cluster: 3 nodes in one JVM on loopback, 3 shards, %,d x %d points, batches of 500, %d clients, %d cores, median of %d%n%n",
                points, dim, clients, Runtime.getRuntime().availableProcessors(), rounds));
        report.append("| replication factor | acknowledged points/s | search QPS (top 10) | failover after a leader stops |\n|---|---|---|---|\n");
        for (int rf = 1; rf <= 3; rf++) {
            double[] ingest = new double[rounds];
            double[] qps = new double[rounds];
            double[] failover = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                double[] r = run(rf, base, qs);
                ingest[round] = r[0];
                qps[round] = r[1];
                failover[round] = r[2];
                System.err.printf(Locale.ROOT, "rf %d round %d: %,.0f points/s, %,.0f QPS%s%n", rf, round + 1, r[0], r[1],
                        r[2] > 0 ? String.format(Locale.ROOT, ", failover %.2f s", r[2]) : "");
            }
            report.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %s |%n", rf, median(ingest), median(qps),
                    rf == 3 ? String.format(Locale.ROOT, "%.2f s", median(failover)) : rf == 1 ? "(no other replica)" : "(measured at 3)"));
        }
        System.out.print(report);
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One run on fresh nodes: {ingest points/s, search QPS, failover seconds (0 when not measured)}. */
    private double[] run(int rf, float[][] base, float[][] qs) throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-cluster-bench");
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + s.getLocalPort()).build());
            }
        }
        List<ClusterNode> nodes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int i = 0; i < 3; i++) {
                nodes.add(new ClusterNode(peers.get(i), dir.resolve("n" + i)));
            }
            for (ClusterNode n : nodes) {
                n.joinMetadata(peers);
            }
            CollectionConfig config = CollectionConfig.of("bench", dim, "euclidean");
            ShardedCollection col = nodes.get(0).createCollection(config, 3, rf);
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                work.add(pool.submit(() -> {
                    for (int b; (b = next.getAndAdd(500)) < base.length; ) {
                        List<Point> batch = new ArrayList<>(500);
                        for (int i = b; i < Math.min(base.length, b + 500); i++) {
                            batch.add(Point.of(i, base[i]));
                        }
                        col.upsert(batch);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            double ingest = base.length / ((System.nanoTime() - t0) / 1e9);
            AtomicInteger q = new AtomicInteger();
            work.clear();
            for (int i = 0; i < Math.min(200, queries); i++) {
                col.search(new SearchRequest(qs[i % qs.length], 10, null, 64, false, false, false, false)); // warm up
            }
            t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                work.add(pool.submit(() -> {
                    for (int i; (i = q.getAndIncrement()) < queries; ) {
                        col.search(new SearchRequest(qs[i % qs.length], 10, null, 64, false, false, false, false));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            double qps = queries / ((System.nanoTime() - t0) / 1e9);
            double failover = 0;
            if (rf == 3) {
                ShardSpec shard0 = new ShardSpec("bench", 0, config);
                int leader = -1;
                for (int i = 0; i < 3; i++) {
                    if (nodes.get(i).leads(shard0)) {
                        leader = i;
                    }
                }
                // write through a node that stays up, to a point of shard 0
                ShardedCollection router = nodes.get((leader + 1) % 3).collection("bench");
                long id = 0;
                while (router.shardOf(io.vectorflow.storage.PointId.of(id)) != 0) {
                    id++;
                }
                router.upsert(List.of(Point.of(id, base[0])));
                long stopped = System.nanoTime();
                nodes.get(leader).close();
                nodes.set(leader, null);
                router.upsert(List.of(Point.of(id, base[1])));
                failover = (System.nanoTime() - stopped) / 1e9;
            }
            return new double[] {ingest, qps, failover};
        } finally {
            for (ClusterNode n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
