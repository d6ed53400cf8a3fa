package io.vectorflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three replicas of one shard on loopback, one Raft group: writes survive losing the leader, a returning replica catches up. */
@Timeout(120)
class ShardReplicationTest {

    private static final int DIM = 8;

    @TempDir
    Path dir;

    private final ClusterNode[] nodes = new ClusterNode[3];
    private final List<RaftPeer> peers = new ArrayList<>();
    private final ShardSpec spec = new ShardSpec("docs", 0, CollectionConfig.of("docs", DIM, "cosine"));

    @AfterEach
    void stop() throws IOException {
        for (ClusterNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    private void start() throws IOException {
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + s.getLocalPort()).build());
            }
        }
        for (int i = 0; i < 3; i++) {
            nodes[i] = new ClusterNode(peers.get(i), dir.resolve("n" + i));
        }
        for (ClusterNode n : nodes) {
            n.host(spec, peers);
        }
    }

    private static List<Point> batch(int b, int size) {
        Random r = new Random(b);
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = r.nextFloat() + 0.01f;
            }
            out.add(Point.of((long) b * size + i, v, Map.of("batch", b, "even", i % 2 == 0)));
        }
        return out;
    }

    @Test
    void acknowledgedWritesSurviveTheLeaderAndAReturningReplicaCatchesUp() throws Exception {
        start();
        int batches = 40;
        int size = 25;
        int stopped = -1;
        try (ShardClient client = new ShardClient(RaftGroup.valueOf(spec.groupId(), peers))) {
            for (int b = 0; b < batches; b++) {
                client.upsert(batch(b, size));
                if (b == 15) {
                    for (int i = 0; i < 3; i++) {
                        if (nodes[i].leads(spec)) {
                            stopped = i;
                        }
                    }
                    assertThat(stopped).as("a leader was elected").isNotNegative();
                    nodes[stopped].close();
                    nodes[stopped] = null;
                }
            }
            long t0 = System.nanoTime();
            assertThat(client.count(null)).isEqualTo((long) batches * size);
            List<PointId> sample = List.of(PointId.of(0), PointId.of(399), PointId.of(400), PointId.of(999));
            List<Record> got = client.get(sample, true, true);
            assertThat(got).extracting(Record::id).containsExactlyElementsOf(sample);
            assertThat(got.get(3).payload().get("batch").asInt()).isEqualTo(39);
            assertThat(got.get(3).vector()).hasSize(DIM);
            assertThat(System.nanoTime() - t0).isLessThan(10_000_000_000L);

            // the stopped replica comes back on its own directory and catches up from the leader
            nodes[stopped] = new ClusterNode(peers.get(stopped), dir.resolve("n" + stopped));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (nodes[stopped].replica(spec).count(null) < (long) batches * size && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(nodes[stopped].replica(spec).count(null)).isEqualTo((long) batches * size);

            // deletes by id and by filter reach every replica
            assertThat(client.delete(List.of(PointId.of(0), PointId.of(1), PointId.of(5_000)))).isEqualTo(2);
            long even = client.count(Filter.must(new Condition.Match("even", true)));
            assertThat(client.delete(Filter.must(new Condition.Match("even", true)))).isEqualTo(even);
            long left = (long) batches * size - 2 - even;
            assertThat(client.count(null)).isEqualTo(left);
            deadline = System.nanoTime() + 30_000_000_000L;
            for (ClusterNode n : nodes) {
                while (n.replica(spec).count(null) != left && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(n.replica(spec).count(null)).isEqualTo(left);
            }
        }
    }

    @Test
    void aBatchTheEngineRefusesIsRefusedEverywhereAndNamesTheField() throws Exception {
        start();
        try (ShardClient client = new ShardClient(RaftGroup.valueOf(spec.groupId(), peers))) {
            client.upsert(batch(0, 10));
            List<Point> bad = new ArrayList<>(batch(1, 10));
            bad.set(3, Point.of(999, new float[DIM + 1]));
            assertThatThrownBy(() -> client.upsert(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("points[3]");
            assertThat(client.count(null)).isEqualTo(10);
        }
    }
}
