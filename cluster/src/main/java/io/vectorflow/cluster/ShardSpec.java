package io.vectorflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * One shard of a collection: what a node needs to host a replica of it. Stored per hosted shard
 * as {@code groups/<group uuid>.json} in the node's data directory, {@code {"collection": name,
 * "shard": n, "config": collection.json's content}}, so that after a restart each Raft group
 * found on disk gets its state machine before the cluster's metadata is read back.
 *
 * @param collection the collection's name
 * @param shard      the shard's number, 0 to shard_number - 1
 * @param config     the collection's settings
 */
public record ShardSpec(String collection, int shard, CollectionConfig config) {

    /** The shard's Raft group: a fixed function of collection and shard number, the same on every node. */
    public RaftGroupId groupId() {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes((collection + "\u0000" + shard).getBytes(StandardCharsets.UTF_8)));
    }

    /** The local collection a replica keeps the shard's points in. */
    public String localName() {
        return collection + "-shard-" + shard;
    }

    byte[] toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode().put("collection", collection).put("shard", shard);
        try {
            n.set("config", Json.MAPPER.readTree(config.toJson()));
            return Json.MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ShardSpec read(Path file) throws IOException {
        JsonNode n = Json.MAPPER.readTree(file.toFile());
        return new ShardSpec(n.get("collection").asText(), n.get("shard").asInt(),
                CollectionConfig.fromJson(Json.MAPPER.writeValueAsBytes(n.get("config"))));
    }
}
