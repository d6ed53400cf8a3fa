package io.vectorflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchRequest;
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

/** Three nodes, three shards of two replicas each: answers equal those of one local collection holding the same points. */
@Timeout(120)
class ShardedCollectionTest {

    private static final int DIM = 16;

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (ClusterNode n : nodes) {
            n.close();
        }
    }

    private List<RaftPeer> startNodes() throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + s.getLocalPort()).build());
            }
        }
        for (int i = 0; i < 3; i++) {
            nodes.add(new ClusterNode(peers.get(i), dir.resolve("n" + i)));
        }
        return peers;
    }

    private static List<Point> points(int n) {
        Random r = new Random(3);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = (float) r.nextGaussian();
            }
            points.add(Point.of(i, v, Map.of("tag", i % 3 == 0 ? "a" : "b", "i", i)));
        }
        return points;
    }

    @Test
    void aCollectionCreatedThroughOneNodeIsServedByEveryNodeAndSurvivesARestart() throws Exception {
        List<RaftPeer> peers = startNodes();
        for (ClusterNode n : nodes) {
            n.joinMetadata(peers);
        }
        CollectionConfig config = CollectionConfig.of("docs", DIM, "cosine");
        nodes.get(0).createCollection(config, 3, 2);
        assertThatThrownBy(() -> nodes.get(1).createCollection(config, 2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> nodes.get(1).collection("nope")).isInstanceOf(io.vectorflow.engine.NotFoundException.class);
        List<Point> points = points(300);
        nodes.get(2).collection("docs").upsert(points);
        for (ClusterNode n : nodes) {
            assertThat(n.collection("docs").count(null)).isEqualTo(300);
        }
        // each node holds the replicas placement gave it: 3 shards x 2 replicas over 3 nodes = 2 each
        long held = 0;
        for (int s = 0; s < 3; s++) {
            for (ClusterNode n : nodes) {
                held += n.hosts(new ShardSpec("docs", s, config)) ? 1 : 0;
            }
        }
        assertThat(held).isEqualTo(6);
        nodes.get(1).close();
        nodes.set(1, new ClusterNode(peers.get(1), dir.resolve("n1")));
        nodes.get(1).joinMetadata(peers);
        assertThat(nodes.get(1).collection("docs").count(null)).isEqualTo(300);
        assertThat(nodes.get(1).collection("docs").search(SearchRequest.of(points.get(7).vector(), 1)).points().get(0).id())
                .isEqualTo(PointId.of(7));
    }

    @Test
    void shardsAnswerAsOneCollection() throws Exception {
        List<RaftPeer> peers = startNodes();
        CollectionConfig config = CollectionConfig.of("docs", DIM, "cosine");
        List<RaftGroup> groups = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            ShardSpec spec = new ShardSpec("docs", s, config);
            List<RaftPeer> replicas = ShardedCollection.replicas(s, 2, peers);
            for (RaftPeer p : replicas) {
                nodes.get(peers.indexOf(p)).host(spec, replicas);
            }
            groups.add(RaftGroup.valueOf(spec.groupId(), replicas));
        }
        List<Point> points = points(900);
        try (Database local = Database.open(dir.resolve("reference"));
             ShardedCollection sharded = new ShardedCollection(config, groups)) {
            Collection reference = local.createCollection(config);
            reference.upsert(points);
            for (int i = 0; i < points.size(); i += 100) {
                sharded.upsert(points.subList(i, i + 100));
            }
            assertThat(sharded.count(null)).isEqualTo(900);
            Filter tagA = Filter.must(new Condition.Match("tag", "a"));
            assertThat(sharded.count(tagA)).isEqualTo(300);
            // every shard holds a fair part, and each point sits on the shard the ring names
            for (int s = 0; s < 3; s++) {
                Collection replica = nodes.get(s).replica(new ShardSpec("docs", s, config));
                assertThat(replica.count(null)).isBetween(200L, 400L);
            }
            for (int q = 0; q < 20; q++) {
                float[] query = points.get(q * 37).vector();
                for (Filter f : new Filter[] {null, tagA}) {
                    SearchRequest exact = new SearchRequest(query, 10, f, 0, true, true, false, false, 5, null);
                    List<PointId> want = reference.search(exact).points().stream().map(ScoredPoint::id).toList();
                    ShardedCollection.Result got = sharded.search(exact);
                    assertThat(got.points()).extracting(ScoredPoint::id).containsExactlyElementsOf(want);
                    assertThat(got.shardsSearched()).isEqualTo(3);
                    assertThat(got.points().get(0).payload().get("i")).isNotNull();
                }
                SearchRequest graph = SearchRequest.of(query, 1);
                assertThat(sharded.search(graph).points().get(0).id()).isEqualTo(PointId.of(q * 37));
            }
            List<PointId> ids = List.of(PointId.of(5), PointId.of(800), PointId.of(12_345), PointId.of(1));
            assertThat(sharded.get(ids, true, true)).extracting(Record::id).containsExactly(PointId.of(5), PointId.of(800), PointId.of(1));
            assertThat(sharded.delete(List.of(PointId.of(5), PointId.of(6), PointId.of(7)))).isEqualTo(3);
            assertThat(sharded.delete(tagA)).isEqualTo(299); // 6 was tag a
            assertThat(sharded.count(null)).isEqualTo(900 - 3 - 299);
            List<Point> bad = new ArrayList<>(points.subList(0, 50));
            bad.set(7, Point.of(7, new float[3]));
            assertThatThrownBy(() -> sharded.upsert(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        }
    }
}
