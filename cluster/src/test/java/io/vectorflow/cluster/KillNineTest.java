package io.vectorflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.storage.PointId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas of a shard, each its own JVM on loopback, killed with SIGKILL: the leader
 * during writes, then every node at once. No acknowledged write may be lost.
 */
@Timeout(240)
class KillNineTest {

    @TempDir
    Path dir;

    private final Process[] nodes = new Process[3];
    private String addresses;

    @AfterEach
    void stop() {
        for (Process p : nodes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private void launch(int i) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx256m", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath(), NodeProcess.class.getName(), String.valueOf(i),
                dir.resolve("n" + i).toString(), addresses).redirectErrorStream(true).start();
        nodes[i] = p;
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + i + " did not start");
            }
        }
        assertThat(line).as("node " + i + " started").isEqualTo("ready");
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) { } // keep the pipe drained
            } catch (IOException ignored) {
                // the process died
            }
        });
    }

    private void kill(int i) throws InterruptedException {
        nodes[i].destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed
        nodes[i].waitFor();
        nodes[i] = null;
    }

    private static List<Point> batch(long first, int size) {
        Random r = new Random(first);
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            float[] v = new float[8];
            for (int d = 0; d < 8; d++) {
                v[d] = r.nextFloat() + 0.01f;
            }
            out.add(Point.of(first + i, v, Map.of("n", first + i)));
        }
        return out;
    }

    @Test
    void nothingAcknowledgedIsLostWhenTheLeaderOrEveryNodeIsKilled() throws Exception {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                list.add("127.0.0.1:" + s.getLocalPort());
            }
        }
        addresses = String.join(",", list);
        for (int i = 0; i < 3; i++) {
            launch(i);
        }
        List<RaftPeer> peers = NodeProcess.peers(addresses);
        RaftGroup group = RaftGroup.valueOf(NodeProcess.SPEC.groupId(), peers);
        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicLong killedAt = new AtomicLong();
        AtomicLong firstAfter = new AtomicLong();
        int batch = 20;
        try (ShardClient client = new ShardClient(group)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                for (long b = 0; b < 150; b++) {
                    try {
                        client.upsert(batch(b * batch, batch));
                        acknowledged.add(b);
                        if (killedAt.get() != 0) {
                            firstAfter.compareAndSet(0, System.nanoTime());
                        }
                    } catch (IOException e) {
                        // not acknowledged: may or may not be there
                    }
                }
            });
            while (acknowledged.size() < 40) {
                Thread.sleep(5);
            }
            RaftPeerId leader = client.leader();
            int victim = Integer.parseInt(leader.toString().substring(1));
            kill(victim);
            killedAt.set(System.nanoTime());
            writer.join();
            assertThat(firstAfter.get()).as("writes go on after the leader died").isPositive();
            double failoverSeconds = (firstAfter.get() - killedAt.get()) / 1e9;
            System.out.printf("failover: first write acknowledged %.2f s after SIGKILL of the leader%n", failoverSeconds);
            assertThat(failoverSeconds).isLessThan(10);
            assertAllPresent(client, acknowledged, batch);

            // the killed node comes back and catches up
            launch(victim);
            long total = client.count(null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            RaftPeerId back = peers.get(victim).getId();
            while (countAt(client, back) != total && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(countAt(client, back)).isEqualTo(total);
        }
        // every node killed at once, then all restarted: the Raft logs bring back what local logs had not forced
        for (int i = 0; i < 3; i++) {
            kill(i);
        }
        for (int i = 0; i < 3; i++) {
            launch(i);
        }
        try (ShardClient client = new ShardClient(group)) {
            assertAllPresent(client, acknowledged, batch);
        }
    }

    private static long countAt(ShardClient client, RaftPeerId peer) {
        try {
            return client.countAt(peer, null);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void assertAllPresent(ShardClient client, java.util.Collection<Long> batches, int size) throws IOException {
        List<PointId> ids = new ArrayList<>();
        for (long b : batches) {
            for (int i = 0; i < size; i++) {
                ids.add(PointId.of(b * size + i));
            }
        }
        List<Record> got = client.get(ids, true, false);
        assertThat(got).as("every acknowledged point").hasSize(ids.size());
        for (Record r : got) {
            assertThat(r.payload().get("n").asLong()).isEqualTo(r.id().lsb());
        }
        assertThat(client.count(null)).isGreaterThanOrEqualTo(ids.size());
    }
}
