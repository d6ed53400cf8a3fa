package io.vectorflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Json;
import java.util.ArrayList;
import org.apache.ratis.protocol.Message;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.NotFoundException;
import io.vectorflow.storage.Durability;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One node's share of the cluster: a Raft server (Apache Ratis, over gRPC on its own port)
 * hosting a replica of each shard placed on this node, each shard its own Raft group, and the
 * local collections those replicas apply their logs to.
 *
 * <p>Layout under the node's directory: {@code raft/<group uuid>/} (Ratis's log and snapshot
 * files per group), {@code groups/<group uuid>.json} (which shard each group is, see
 * {@link ShardSpec}) and {@code shards/} (a database holding one collection per hosted shard).
 * Restarting on the same directory brings every group back and catches each replica up from its
 * group's leader.
 */
public final class ClusterNode implements AutoCloseable {

    /**
     * Largest log entry a write command is sent as: Ratis's appender buffer (4 MiB by default,
     * and its write buffer, a direct buffer per group, must hold one entry) bounds it; larger
     * batches are split ({@link ShardClient}).
     */
    static final int MAX_ENTRY = 3 << 20;
    /** Applied entries between two snapshots (each seals the shard's collection, so the log can be trimmed). */
    static final long SNAPSHOT_EVERY = 20_000;

    private final RaftPeer self;
    private final Path dir;
    private final Database shards;
    private final Map<RaftGroupId, ShardStateMachine> machines = new ConcurrentHashMap<>();
    private final RaftServer server;
    private final MetadataStateMachine metadata = new MetadataStateMachine(this::hostReplicas);
    private final Map<String, ShardedCollection> routers = new ConcurrentHashMap<>();
    private volatile org.apache.ratis.client.RaftClient metadataClient;

    /**
     * Starts the node's Raft server on {@code self}'s address with the groups found under
     * {@code dir}; add shards with {@link #host}.
     */
    public ClusterNode(RaftPeer self, Path dir) throws IOException {
        this.self = self;
        this.dir = dir;
        Files.createDirectories(dir.resolve("groups"));
        this.shards = Database.open(dir.resolve("shards"), Database.Options.defaults().withDurability(Durability.ASYNC));
        RaftProperties props = properties(dir.resolve("raft"), port(self));
        try {
            this.server = RaftServer.newBuilder().setServerId(self.getId()).setProperties(props)
                    .setStateMachineRegistry(this::machine).setOption(RaftStorage.StartupOption.RECOVER).build();
            server.start();
        } catch (IOException | RuntimeException e) {
            shards.close();
            throw e;
        }
    }

    static RaftProperties properties(Path raftDir, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setPort(p, port);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("16MB"));
        // A leader that stops answering is replaced within about a second.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));
        // Reads on the leader see every write committed before they began: a read index, served
        // without a heartbeat round while the leader holds its lease.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, SNAPSHOT_EVERY);
        return p;
    }

    private static int port(RaftPeer peer) {
        String a = peer.getAddress();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    /** The state machine of a group this server holds: the shard its spec file names. */
    private StateMachine machine(RaftGroupId gid) {
        if (gid.equals(MetadataStateMachine.GROUP)) {
            return metadata;
        }
        return machines.computeIfAbsent(gid, g -> {
            try {
                ShardSpec spec = ShardSpec.read(specFile(g));
                Collection c;
                try {
                    c = shards.collection(spec.localName());
                } catch (NotFoundException e) {
                    c = shards.createCollection(spec.config().withName(spec.localName()));
                }
                return new ShardStateMachine(c);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the shard of Raft group " + g, e);
            }
        });
    }

    private Path specFile(RaftGroupId gid) {
        return dir.resolve("groups").resolve(gid.getUuid() + ".json");
    }

    /**
     * Hosts a replica of {@code spec}'s shard in the group of {@code peers} (this node among
     * them). Every peer is told the same group; the replicas elect a leader among themselves.
     */
    public void host(ShardSpec spec, List<RaftPeer> peers) throws IOException {
        Disk.REAL.writeAtomically(specFile(spec.groupId()), java.nio.ByteBuffer.wrap(spec.toJson()));
        addGroup(RaftGroup.valueOf(spec.groupId(), peers), spec.localName());
    }

    /** Adds the group to this node's Raft server; one it holds already (a restart recovered it) is left as it is. */
    private void addGroup(RaftGroup group, String what) throws IOException {
        try {
            RaftClientReply r = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(), self.getId(), 0, group));
            if (!r.isSuccess()) {
                throw new IOException("could not host " + what + ": " + r.getException(), r.getException());
            }
        } catch (org.apache.ratis.protocol.exceptions.AlreadyExistsException e) {
            // recovered from disk at start
        }
    }

    /**
     * Joins the cluster's metadata group of {@code nodes} (this node among them; every node is
     * started with the same list). Collections created through any node then reach all.
     */
    public void joinMetadata(List<RaftPeer> nodes) throws IOException {
        RaftGroup group = RaftGroup.valueOf(MetadataStateMachine.GROUP, nodes);
        addGroup(group, "the cluster's metadata");
        metadataClient = org.apache.ratis.client.RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group)
                .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(300,
                        TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * Creates a collection of {@code shards} shards with {@code replicas} replicas each (at most
     * one per node), placed over the metadata group's nodes, and waits until every shard has a
     * leader; returns its router.
     *
     * @throws IllegalArgumentException when the name is taken or the settings are refused
     */
    public ShardedCollection createCollection(CollectionConfig config, int shards, int replicas) throws IOException {
        new HashRing(shards); // checks the shard count
        if (replicas < 1) {
            throw new IllegalArgumentException("replication_factor must be at least 1, got " + replicas);
        }
        ObjectNode c = Json.MAPPER.createObjectNode().put("op", "create").put("shards", shards).put("replicas", replicas);
        c.set("config", Json.MAPPER.readTree(config.toJson()));
        JsonNode answer = metadataCall(c);
        if (answer.has("error")) {
            throw new IllegalArgumentException(answer.get("error").asText());
        }
        ShardedCollection router = collection(config.name());
        router.count(null); // returns once every shard elected a leader
        return router;
    }

    /** The router of a collection the cluster holds, from any node. */
    public ShardedCollection collection(String name) throws IOException {
        ShardedCollection r = routers.get(name);
        if (r != null) {
            return r;
        }
        JsonNode list = Json.MAPPER.readTree(metadataClient.io().sendReadOnly(Message.valueOf("list")).getMessage().getContent()
                .toByteArray());
        for (JsonNode e : list.path("collections")) {
            MetadataStateMachine.Entry entry = MetadataStateMachine.read(e);
            if (entry.config().name().equals(name)) {
                List<RaftGroup> groups = new ArrayList<>();
                for (int s = 0; s < entry.shards(); s++) {
                    groups.add(RaftGroup.valueOf(new ShardSpec(name, s, entry.config()).groupId(), entry.placement().get(s)));
                }
                return routers.computeIfAbsent(name, n -> new ShardedCollection(entry.config(), groups));
            }
        }
        throw new NotFoundException("collection '" + name + "' not found");
    }

    private JsonNode metadataCall(ObjectNode command) throws IOException {
        RaftClientReply r = metadataClient.io().send(MetadataStateMachine.message(command));
        if (!r.isSuccess()) {
            throw new IOException("the cluster's metadata group did not take the change: " + r.getException(), r.getException());
        }
        return Json.MAPPER.readTree(r.getMessage().getContent().toByteArray());
    }

    /** Hosts this node's replicas of a collection the metadata group just created (or replayed). */
    private void hostReplicas(MetadataStateMachine.Entry e) {
        Thread.ofVirtual().name("host-" + e.config().name()).start(() -> {
            for (int s = 0; s < e.shards(); s++) {
                List<RaftPeer> replicas = e.placement().get(s);
                if (replicas.stream().anyMatch(p -> p.getId().equals(self.getId()))) {
                    try {
                        host(new ShardSpec(e.config().name(), s, e.config()), replicas);
                    } catch (IOException ex) {
                        LOG.warning("could not host shard " + s + " of " + e.config().name() + ": " + ex.getMessage());
                    }
                }
            }
        });
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ClusterNode.class.getName());

    /** The local collection of a shard this node hosts. */
    public Collection replica(ShardSpec spec) {
        return ((ShardStateMachine) machine(spec.groupId())).collection();
    }

    /** Whether this node holds a replica of the shard. */
    public boolean hosts(ShardSpec spec) {
        for (RaftGroupId g : server.getGroupIds()) {
            if (g.equals(spec.groupId())) {
                return true;
            }
        }
        return false;
    }

    /** Whether this node's replica of the shard is its group's leader now. */
    public boolean leads(ShardSpec spec) throws IOException {
        return server.getDivision(spec.groupId()).getInfo().isLeader();
    }

    public RaftPeerId id() {
        return self.getId();
    }

    public RaftPeer peer() {
        return self;
    }

    @Override
    public void close() throws IOException {
        try {
            for (ShardedCollection r : routers.values()) {
                r.close();
            }
            if (metadataClient != null) {
                metadataClient.close();
            }
            server.close();
        } finally {
            shards.close();
        }
    }
}
