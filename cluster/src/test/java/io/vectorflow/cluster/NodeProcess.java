package io.vectorflow.cluster;

import io.vectorflow.engine.CollectionConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;

/**
 * A cluster node in a process of its own, for tests that kill it with SIGKILL: {@code NodeProcess
 * <index> <dir> <host:port>,<host:port>,...} hosts a replica of shard 0 of collection
 * {@code docs} (8 dimensions, cosine) in the group of those peers, prints {@code ready}, and
 * runs until killed.
 */
public final class NodeProcess {

    static final ShardSpec SPEC = new ShardSpec("docs", 0, CollectionConfig.of("docs", 8, "cosine"));

    static List<RaftPeer> peers(String list) {
        List<RaftPeer> out = new ArrayList<>();
        String[] addresses = list.split(",");
        for (int i = 0; i < addresses.length; i++) {
            out.add(RaftPeer.newBuilder().setId("n" + i).setAddress(addresses[i]).build());
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int index = Integer.parseInt(args[0]);
        List<RaftPeer> peers = peers(args[2]);
        ClusterNode node = new ClusterNode(peers.get(index), Path.of(args[1]));
        node.host(SPEC, peers);
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }
}
