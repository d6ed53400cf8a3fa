package io.vectorflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The cluster's metadata, replicated to every node by its own Raft group: which collections
 * exist, with how many shards and replicas, and which nodes hold each shard.
 *
 * <p>Commands and answers are JSON: {@code {"op": "create", "config": collection.json,
 * "shards": n, "replicas": r}}, {@code {"op": "drop", "name": n}}; the query {@code {"op":
 * "list"}} answers {@code {"collections": [entry, ...]}}, an entry being {@code {"config",
 * "shards", "replicas", "placement": [[node id, ...] per shard]}}. A snapshot is that list in
 * a file. Placement is computed while applying, from the group's members in id order, so every
 * node places the same way.
 */
final class MetadataStateMachine extends BaseStateMachine {

    /** The metadata group's id, the same in every cluster. */
    static final RaftGroupId GROUP = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
            "vectorflow-cluster-metadata".getBytes(StandardCharsets.UTF_8)));

    /**
     * A collection as the cluster knows it.
     *
     * @param placement each shard's replica nodes, by shard number
     */
    record Entry(CollectionConfig config, int shards, int replicas, List<List<RaftPeer>> placement) {}

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Map<String, Entry> collections = new TreeMap<>();
    /** Told of each collection as it is created (on every node, in log order). */
    private final Consumer<Entry> onCreate;

    MetadataStateMachine(Consumer<Entry> onCreate) {
        this.onCreate = onCreate;
    }

    synchronized Entry entry(String name) {
        return collections.get(name);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(collections.values());
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        reinitialize();
    }

    @Override
    public synchronized void reinitialize() throws IOException {
        SingleFileSnapshotInfo s = storage.loadLatestSnapshot();
        if (s != null) {
            collections.clear();
            for (JsonNode e : Json.MAPPER.readTree(s.getFile().getPath().toFile()).path("collections")) {
                Entry entry = read(e);
                collections.put(entry.config().name(), entry);
                onCreate.accept(entry);
            }
            setLastAppliedTermIndex(s.getTermIndex());
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File f = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Files.write(f.toPath(), Json.MAPPER.writeValueAsBytes(list()));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(f.toPath(), null), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ObjectNode answer = Json.MAPPER.createObjectNode();
        Entry created = null;
        synchronized (this) {
            try {
                JsonNode c = Json.MAPPER.readTree(entry.getStateMachineLogEntry().getLogData().toByteArray());
                switch (c.path("op").asText()) {
                    case "create" -> {
                        CollectionConfig config = CollectionConfig.fromJson(Json.MAPPER.writeValueAsBytes(c.get("config")));
                        if (collections.containsKey(config.name())) {
                            answer.put("error", "collection '" + config.name() + "' already exists");
                        } else {
                            int shards = c.get("shards").asInt();
                            int replicas = c.get("replicas").asInt();
                            List<RaftPeer> nodes = new ArrayList<>(getServer().join().getDivision(GROUP).getGroup().getPeers());
                            nodes.sort(Comparator.comparing(p -> p.getId().toString()));
                            List<List<RaftPeer>> placement = new ArrayList<>();
                            for (int s = 0; s < shards; s++) {
                                placement.add(ShardedCollection.replicas(s, Math.min(replicas, nodes.size()), nodes));
                            }
                            created = new Entry(config, shards, replicas, placement);
                            collections.put(config.name(), created);
                            answer.put("created", config.name());
                        }
                    }
                    case "drop" -> answer.put("dropped", collections.remove(c.path("name").asText()) != null);
                    default -> answer.put("error", "unknown metadata command " + c.path("op"));
                }
            } catch (IOException | RuntimeException e) {
                answer.put("error", String.valueOf(e.getMessage()));
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        if (created != null) {
            onCreate.accept(created);
        }
        return CompletableFuture.completedFuture(message(answer));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(message(list()));
    }

    private synchronized ObjectNode list() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("collections");
        for (Entry e : collections.values()) {
            ObjectNode n = list.addObject().put("shards", e.shards()).put("replicas", e.replicas());
            try {
                n.set("config", Json.MAPPER.readTree(e.config().toJson()));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            ArrayNode placement = n.putArray("placement");
            for (List<RaftPeer> shard : e.placement()) {
                ArrayNode a = placement.addArray();
                shard.forEach(p -> a.addObject().put("id", p.getId().toString()).put("address", p.getAddress()));
            }
        }
        return out;
    }

    static Entry read(JsonNode n) throws IOException {
        List<List<RaftPeer>> placement = new ArrayList<>();
        for (JsonNode shard : n.path("placement")) {
            List<RaftPeer> peers = new ArrayList<>();
            shard.forEach(p -> peers.add(RaftPeer.newBuilder().setId(p.get("id").asText()).setAddress(p.get("address").asText()).build()));
            placement.add(peers);
        }
        return new Entry(CollectionConfig.fromJson(Json.MAPPER.writeValueAsBytes(n.get("config"))), n.get("shards").asInt(),
                n.get("replicas").asInt(), placement);
    }

    static Message message(JsonNode n) {
        try {
            return Message.valueOf(ByteString.copyFrom(Json.MAPPER.writeValueAsBytes(n)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
