package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.server.ServerBuilder;
import io.vectorflow.engine.Aliases;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.VectorsConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.engine.perf.RecallSampler;
import io.vectorflow.storage.Durability;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collections: {@code GET /collections}, {@code PUT|GET|PATCH|DELETE /collections/{name}},
 * {@code GET /collections/{name}/exists}, and payload indexes ({@code PUT /collections/{name}/index},
 * {@code DELETE /collections/{name}/index/{field}}), in Qdrant's shapes.
 */
final class CollectionsApi {

    static final Map<String, String> DISTANCES = Map.of("Cosine", "cosine", "Dot", "dot", "Euclid", "euclidean",
            "Manhattan", "manhattan");
    private static final Set<String> CREATE_FIELDS = Set.of("vectors", "hnsw_config", "optimizers_config", "wal_config",
            "sparse_vectors", "quantization_config", "tiering_config");
    private static final Set<String> PATCH_FIELDS = Set.of("vectors", "hnsw_config", "optimizers_config", "wal_config", "params",
            "quantization_config", "tiering_config");
    /** Qdrant collection fields that do not apply to a single VectorFlow node. */
    private static final Set<String> QDRANT_ONLY = Set.of("shard_number", "sharding_method", "replication_factor",
            "write_consistency_factor", "on_disk_payload", "init_from", "strict_mode_config",
            "uuid", "metadata");
    private static final Set<String> HNSW_FIELDS = Set.of("m", "ef_construct");
    /** Bounds of {@code hnsw_config.m} and {@code ef_construct}, for a collection or one named vector. */
    private static final int MIN_M = 2, MAX_M = 512, MIN_EF_CONSTRUCT = 4, MAX_EF_CONSTRUCT = 4096;
    private static final Set<String> HNSW_QDRANT_ONLY = Set.of("full_scan_threshold", "max_indexing_threads", "on_disk",
            "payload_m", "inline_storage");
    private static final Set<String> OPTIMIZER_FIELDS = Set.of("max_segment_size", "indexing_threshold", "compaction_mb_per_second");
    private static final Set<String> OPTIMIZER_QDRANT_ONLY = Set.of("deleted_threshold", "vacuum_min_vector_number",
            "default_segment_number", "memmap_threshold", "flush_interval_sec", "max_optimization_threads",
            "prevent_unoptimized");
    private static final Set<String> WAL_FIELDS = Set.of("durability");
    private static final Set<String> WAL_QDRANT_ONLY = Set.of("wal_capacity_mb", "wal_segments_ahead", "wal_retain_closed");

    private final Database db;
    private final Rest rest;

    CollectionsApi(Database db, Rest rest) {
        this.db = db;
        this.rest = rest;
    }

    void register(ServerBuilder sb) {
        sb.route().get("/collections").build(rest.read(c -> Rest.Reply.of(Map.of("collections",
                Security.visible(db().listCollections()).stream().map(n -> Map.of("name", n)).toList()))));
        sb.route().put("/collections/{name}").build(rest.manage(this::create));
        sb.route().get("/collections/{name}").build(rest.read(c -> Rest.Reply.of(info(db().collection(c.param("name")),
                db().tierCache()))));
        sb.route().patch("/collections/{name}").build(rest.manage(this::update));
        // Qdrant answers 200 with false for a collection that does not exist.
        sb.route().delete("/collections/{name}").build(rest.manage(c -> Rest.Reply.of(db().dropCollection(c.param("name")))));
        sb.route().get("/collections/{name}/exists").build(rest.read(c -> Rest.Reply.of(Map.of("exists",
                db().listCollections().contains(checkedName(c.param("name")))))));
        sb.route().put("/collections/{name}/index").build(rest.write(this::createIndex));
        sb.route().post("/collections/aliases").build(rest.manage(this::updateAliases));
        sb.route().get("/aliases").build(rest.read(c -> Rest.Reply.of(Map.of("aliases",
                aliasList(Security.visibleAliases(db().aliases().all()).entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList())))));
        sb.route().get("/collections/{name}/aliases").build(rest.read(c -> {
            String name = db().collection(c.param("name")).name();
            return Rest.Reply.of(Map.of("aliases", aliasList(db().aliases().of(name).stream().map(a -> Map.entry(a, name)).toList())));
        }));
        sb.route().delete("/collections/{name}/index/{field}").build(rest.write(c -> {
            Collection col = db().collection(c.param("name"));
            if (!col.dropPayloadIndex(c.param("field"))) {
                throw new ApiException(404, "collection '" + col.name() + "' has no payload index on '" + c.param("field") + "'");
            }
            return Rest.Reply.of(PointsApi.completed());
        }));
    }

    private static List<Map<String, String>> aliasList(List<Map.Entry<String, String>> entries) {
        return entries.stream().map(e -> Map.of("alias_name", e.getKey(), "collection_name", e.getValue())).toList();
    }

    /** {@code POST /collections/aliases}: create, delete and rename aliases, all or nothing. */
    private Rest.Reply updateAliases(Rest.Call call) {
        return updateAliases(call.body());
    }

    /** Applies Qdrant's alias actions, all or nothing. */
    Rest.Reply updateAliases(Body request) {
        Body body = request.check(Set.of("actions"), Set.of("timeout"), null);
        JsonNode actions = body.get("actions");
        if (actions == null || !actions.isArray()) {
            throw ApiException.unprocessable("actions must be an array");
        }
        if (actions.size() > 10_000) {
            throw new ApiException(413, "actions holds " + actions.size() + " actions; at most 10000");
        }
        List<Aliases.Action> out = new java.util.ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            String path = "actions[" + i + "]";
            JsonNode a = actions.get(i);
            if (a == null || !a.isObject() || a.size() != 1) {
                throw ApiException.badRequest(path + " must be an object with one of create_alias, delete_alias, rename_alias");
            }
            String kind = a.fieldNames().next();
            Body b = Body.of(a.get(kind), path + "." + kind);
            out.add(switch (kind) {
                case "create_alias" -> new Aliases.Action.Create(required(b.check(Set.of("collection_name", "alias_name")),
                        "collection_name"), required(b, "alias_name"));
                case "delete_alias" -> new Aliases.Action.Delete(required(b.check(Set.of("alias_name")), "alias_name"));
                case "rename_alias" -> new Aliases.Action.Rename(required(b.check(Set.of("old_alias_name", "new_alias_name")),
                        "old_alias_name"), required(b, "new_alias_name"));
                default -> throw ApiException.badRequest(path + "." + kind + " is not an alias action (create_alias, delete_alias,"
                        + " rename_alias)");
            });
        }
        db().updateAliases(out);
        return Rest.Reply.of(true);
    }

    private static String required(Body b, String field) {
        String v = b.string(field, null);
        if (v == null || v.isEmpty()) {
            throw ApiException.badRequest(b.path(field) + " is required");
        }
        return v;
    }

    private static String checkedName(String name) {
        io.vectorflow.storage.Names.collection(name);
        return name;
    }

    private Rest.Reply create(Rest.Call call) {
        return create(call.param("name"), call.body());
    }

    /** Creates a collection from Qdrant's create request (REST's JSON, which gRPC requests are written as too). */
    Rest.Reply create(String collection, Body request) {
        String name = checkedName(collection);
        List<String> warnings = Rest.warnings();
        Body body = request.check(CREATE_FIELDS, QDRANT_ONLY, warnings);
        Body vectors = body.object("vectors");
        Body sparse = body.object("sparse_vectors");
        if (!vectors.has("size") && vectors.has("") && vectors.node().size() == 1 && sparse.node().isEmpty()) {
            vectors = vectors.object(""); // {"": {…}}: the unnamed vector written as a map, as LangChain sends it
        }
        CollectionConfig config;
        Body settings;
        if (vectors.has("size") && !sparse.node().isEmpty()) {
            // One unnamed vector beside sparse ones: the unnamed one is the vector named "".
            vectors = Body.of(Json.MAPPER.createObjectNode().set("", vectors.node()), body.path("vectors"));
        }
        if (vectors.has("size") || vectors.node().isEmpty() && sparse.node().isEmpty()) {
            VectorsConfig.Dense d = dense("", vectors, warnings);
            config = CollectionConfig.of(name, d.size(), d.distance()).withOnDisk(vectors.bool("on_disk", false));
            settings = vectors.object("hnsw_config");
        } else {
            List<VectorsConfig.Dense> dense = new java.util.ArrayList<>();
            for (var it = vectors.node().fieldNames(); it.hasNext(); ) {
                String vectorName = it.next();
                Body v = vectors.object(vectorName);
                dense.add(vectorSettings(dense(vectorName, v, warnings), v, warnings));
            }
            List<VectorsConfig.Sparse> sparseVectors = new java.util.ArrayList<>();
            for (var it = sparse.node().fieldNames(); it.hasNext(); ) {
                String vectorName = it.next();
                Body v = sparse.object(vectorName).check(Set.of("modifier"), Set.of("index"), warnings);
                String modifier = v.string("modifier", "none");
                if (!modifier.equalsIgnoreCase("none") && !modifier.equalsIgnoreCase("idf")) {
                    throw ApiException.badRequest(v.path("modifier") + " must be \"none\" or \"idf\", got " + modifier);
                }
                sparseVectors.add(new VectorsConfig.Sparse(vectorName, modifier.equalsIgnoreCase("idf")));
            }
            VectorsConfig named;
            try {
                named = new VectorsConfig(dense, sparseVectors);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            config = CollectionConfig.of(name, named);
            settings = Body.of(null, "hnsw_config");
        }
        config = applySettings(config, settings, body, warnings);
        config = quantization(config, body, warnings, db().tierCache() != null);
        db().createCollection(config);
        return new Rest.Reply(true, null, warnings);
    }

    /** One dense vector's parameters ({@code size}, {@code distance}, …) under {@code vectors} or {@code vectors.<name>}. */
    private static VectorsConfig.Dense dense(String name, Body v, List<String> warnings) {
        v.check(Set.of("size", "distance", "on_disk", "hnsw_config"), Set.of("quantization_config", "datatype",
                "multivector_config"), warnings);
        if (v.has("multivector_config")) {
            throw ApiException.badRequest(v.path("multivector_config") + ": multivectors are not supported");
        }
        String datatype = v.string("datatype", "float32");
        if (!datatype.equalsIgnoreCase("float32")) {
            throw ApiException.badRequest(v.path("datatype") + ": only float32 is supported, got " + datatype);
        }
        if (!v.has("size")) {
            throw ApiException.badRequest(v.path("size") + " is required");
        }
        int size = v.integer("size", 0, 1, 65_536);
        String distance = v.string("distance", null);
        if (distance == null || !DISTANCES.containsKey(distance)) {
            throw ApiException.badRequest(v.path("distance") + " must be one of Cosine, Dot, Euclid, Manhattan; got " + distance);
        }
        return new VectorsConfig.Dense(name, size, DISTANCES.get(distance));
    }

    /** A named vector's own {@code on_disk} and {@code hnsw_config} ({@code m}, {@code ef_construct}), over those it had. */
    private static VectorsConfig.Dense vectorSettings(VectorsConfig.Dense d, Body v, List<String> warnings) {
        Body h = v.object("hnsw_config").check(HNSW_FIELDS, HNSW_QDRANT_ONLY, warnings);
        Integer m = h.has("m") ? Integer.valueOf(h.integer("m", 0, MIN_M, MAX_M)) : d.m();
        Integer ef = h.has("ef_construct") ? Integer.valueOf(h.integer("ef_construct", 0, MIN_EF_CONSTRUCT, MAX_EF_CONSTRUCT))
                : d.efConstruct();
        Boolean onDisk = v.has("on_disk") ? Boolean.valueOf(v.bool("on_disk", false)) : d.onDisk();
        return d.with(m, ef, onDisk);
    }

    private Rest.Reply update(Rest.Call call) {
        return update(call.param("name"), call.body());
    }

    /** Changes a collection's settings from Qdrant's update request. */
    Rest.Reply update(String collection, Body request) {
        Collection col = db().collection(collection);
        List<String> warnings = Rest.warnings();
        Body body = request.check(PATCH_FIELDS, Set.of("sparse_vectors", "strict_mode_config",
                "metadata"), warnings);
        CollectionConfig config = col.config();
        if (body.has("vectors")) {
            // {"": {"on_disk": true}} for the unnamed vector, or {"on_disk": true}
            Body v = body.object("vectors");
            List<Body> each = new java.util.ArrayList<>();
            if (config.vectors() == null) {
                each.add(v.has("") ? v.object("") : v);
            } else {
                for (var it = v.node().fieldNames(); it.hasNext(); ) {
                    String vectorName = it.next();
                    if (config.vectors().denseSlot(vectorName) < 0) {
                        throw ApiException.badRequest(v.path(vectorName) + ": collection '" + collection
                                + "' has no dense vector named '" + vectorName + "'");
                    }
                    each.add(v.object(vectorName));
                }
            }
            if (config.vectors() == null) {
                Body one = each.getFirst().check(Set.of("on_disk", "hnsw_config"), Set.of("quantization_config"), warnings);
                config = config.withOnDisk(one.bool("on_disk", config.onDisk()));
                config = applySettings(config, one.object("hnsw_config"), Body.of(null, ""), warnings);
            } else {
                for (var it = v.node().fieldNames(); it.hasNext(); ) {
                    String vectorName = it.next();
                    Body one = v.object(vectorName).check(Set.of("on_disk", "hnsw_config"), Set.of("quantization_config"), warnings);
                    VectorsConfig.Dense was = config.vectors().dense().get(config.vectors().denseSlot(vectorName));
                    config = config.withVectors(config.vectors().replacing(vectorSettings(was, one, warnings)));
                }
            }
        }
        if (body.has("params")) {
            body.object("params").check(Set.of(), Set.of("replication_factor", "write_consistency_factor", "read_fan_out_factor",
                    "on_disk_payload"), warnings);
        }
        config = applySettings(config, body.object("hnsw_config"), body, warnings);
        config = quantization(config, body, warnings, db().tierCache() != null);
        if (!config.equals(col.config())) {
            db().updateCollection(config);
        }
        return new Rest.Reply(true, null, warnings);
    }

    /** Applies {@code quantization_config} and {@code tiering_config} from a create or patch body. */
    private static CollectionConfig quantization(CollectionConfig config, Body body, List<String> warnings, boolean objectStore) {
        QuantizationJson.Setting q = QuantizationJson.setting(body, warnings);
        TieringJson.Setting t = TieringJson.setting(body, warnings);
        if (t.given() && t.config() != null && t.config().mayDemote() && !objectStore) {
            throw ApiException.badRequest("tiering_config: this server has no object store to move segments to; start it with"
                    + " --object-store (file:///dir or s3://bucket/prefix?endpoint=...)");
        }
        try {
            // quantization first: a tiering policy may need it, and removing it may need the policy gone
            if (q.given() && t.given()) {
                return config.withTiering(null).withQuantization(q.spec()).withTiering(t.config());
            }
            return q.given() ? config.withQuantization(q.spec()) : t.given() ? config.withTiering(t.config()) : config;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Applies {@code hnsw_config}, {@code optimizers_config} and {@code wal_config} from a create or patch body. */
    private static CollectionConfig applySettings(CollectionConfig config, Body hnsw, Body body, List<String> warnings) {
        Body h = body.has("hnsw_config") ? body.object("hnsw_config") : hnsw;
        h.check(HNSW_FIELDS, HNSW_QDRANT_ONLY, warnings);
        try {
            config = config.withHnsw(h.integer("m", config.m(), MIN_M, MAX_M),
                    h.integer("ef_construct", config.efConstruction(), MIN_EF_CONSTRUCT, MAX_EF_CONSTRUCT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(h.path("m") + "/ef_construct: " + e.getMessage());
        }
        Body o = body.object("optimizers_config").check(OPTIMIZER_FIELDS, OPTIMIZER_QDRANT_ONLY, warnings);
        if (o.has("max_segment_size")) {
            long kb = o.integer("max_segment_size", 0L, 1, Long.MAX_VALUE / 2048);
            long capacity = Math.max(1, Math.min(CollectionConfig.MAX_SEGMENT_CAPACITY, kb * 1024 / (4L * config.vectorDimensions())));
            config = config.withSegmentCapacity((int) capacity);
        }
        if (o.has("indexing_threshold")) {
            int kb = o.integer("indexing_threshold", 0, 0, Integer.MAX_VALUE);
            config = config.withIndexingThreshold(kb);
        }
        if (o.has("compaction_mb_per_second")) {
            double rate = o.number("compaction_mb_per_second", 0);
            if (rate < 0 || rate > 1e6) {
                throw ApiException.badRequest("optimizers_config.compaction_mb_per_second must be between 0 and 1000000");
            }
            config = config.withCompactionLimit(rate);
        }
        Body w = body.object("wal_config").check(WAL_FIELDS, WAL_QDRANT_ONLY, warnings);
        if (w.has("durability")) {
            try {
                config = config.withDurability(Durability.parse(w.string("durability", null)));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("wal_config.durability must be \"fsync\" or \"async\"");
            }
        }
        return config;
    }

    private Rest.Reply createIndex(Rest.Call call) {
        Collection col = db().collection(call.param("name"));
        List<String> warnings = Rest.warnings();
        Body body = call.body().check(Set.of("field_name", "field_schema", "field_type"), Set.of("wait", "ordering"), warnings);
        String field = body.string("field_name", null);
        if (field == null || field.isBlank()) {
            throw ApiException.badRequest("field_name is required");
        }
        JsonNode schema = body.has("field_schema") ? body.get("field_schema") : body.get("field_type");
        String type;
        if (schema == null) {
            throw ApiException.badRequest("field_schema is required (keyword, integer, float, bool, uuid, datetime, text or geo)");
        } else if (schema.isTextual()) {
            type = schema.textValue();
        } else if (schema.isObject() && schema.path("type").isTextual()) {
            type = schema.get("type").textValue(); // {"type": "keyword", ...params}
            for (var it = schema.fieldNames(); it.hasNext(); ) {
                String param = it.next();
                if (!param.equals("type") && !param.equals("is_tenant") && !param.equals("on_disk")) {
                    warnings.add("field_schema." + param + " has no effect: the " + type + " index has no settings"
                            + ("text".equals(type) ? " (words are runs of letters and digits, lower-cased)" : ""));
                }
            }
        } else {
            throw ApiException.unprocessable("field_schema must be a type name or an object with \"type\"");
        }
        FieldType ft;
        try {
            ft = FieldType.parse(type);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        col.createPayloadIndex(field, ft);
        return new Rest.Reply(PointsApi.completed(), null, warnings);
    }

    /** Qdrant's name of a metric ({@code Cosine}, {@code Euclid}, …). */
    static String apiDistance(String metric) {
        return DISTANCES.entrySet().stream().filter(e -> e.getValue().equals(metric)).map(Map.Entry::getKey)
                .findFirst().orElse(metric);
    }

    /** The collection's bytes per component in RAM and on disk, and what keeping them costs a month. */
    private static void memory(ObjectNode out, Collection c) {
        io.vectorflow.storage.MemoryUsage u = c.memoryUsage();
        ObjectNode ram = out.putObject("ram_bytes");
        ObjectNode disk = out.putObject("disk_bytes");
        for (String component : io.vectorflow.storage.MemoryUsage.COMPONENTS) {
            ram.put(component, u.ram(component));
            disk.put(component, u.disk(component));
        }
        ram.put("total", u.ram());
        disk.put("total", u.disk());
        var prices = c.prices();
        out.putObject("monthly_cost_usd").put("ram", prices.monthly(u.ram(), 0)).put("disk", prices.monthly(0, u.disk()))
                .put("total", prices.monthly(u.ram(), u.disk()));
    }

    /** Qdrant's collection info, plus a {@code vectorflow} object with what only we report. */
    static ObjectNode info(Collection c, io.vectorflow.storage.tier.BlockCache cache) {
        CollectionConfig cfg = c.config();
        long points = c.count(null);
        int unindexed = c.store().unindexedPoints();
        ObjectNode r = Json.MAPPER.createObjectNode();
        boolean anyCold = c.store().view().sealed().stream().anyMatch(io.vectorflow.storage.segment.SealedSegment::isCold);
        String storeError = cache == null ? null : cache.lastFailure();
        boolean degraded = anyCold && storeError != null;
        r.put("status", c.readOnlyReason() != null ? "red" : unindexed > 0 || degraded ? "yellow" : "green");
        r.put("optimizer_status", "ok");
        r.put("points_count", points);
        r.put("vectors_count", points);
        r.put("indexed_vectors_count", Math.max(0, points - unindexed));
        r.put("segments_count", c.segmentCount());
        ObjectNode config = r.putObject("config");
        ObjectNode params = config.putObject("params");
        String distance = apiDistance(cfg.metric());
        if (cfg.vectors() == null) {
            params.putObject("vectors").put("size", cfg.dimension()).put("distance", distance).put("on_disk", cfg.onDisk());
        } else {
            ObjectNode named = params.putObject("vectors");
            for (int slot = 0; slot < cfg.vectors().dense().size(); slot++) {
                VectorsConfig.Dense d = cfg.vectors().dense().get(slot);
                ObjectNode one = named.putObject(d.name()).put("size", d.size()).put("distance", apiDistance(d.distance()))
                        .put("on_disk", cfg.onDiskOf(slot));
                if (d.m() != null || d.efConstruct() != null) {
                    one.putObject("hnsw_config").put("m", cfg.hnswOf(slot).m()).put("ef_construct", cfg.hnswOf(slot).efConstruction());
                }
            }
            if (!cfg.vectors().sparse().isEmpty()) {
                ObjectNode sparse = params.putObject("sparse_vectors");
                for (VectorsConfig.Sparse d : cfg.vectors().sparse()) {
                    ObjectNode one = sparse.putObject(d.name());
                    if (d.idf()) {
                        one.put("modifier", "idf");
                    }
                }
            }
        }
        params.put("shard_number", 1).put("replication_factor", 1).put("write_consistency_factor", 1).put("on_disk_payload", true);
        config.putObject("hnsw_config").put("m", cfg.m()).put("ef_construct", cfg.efConstruction())
                .put("full_scan_threshold", 10_000).put("max_indexing_threads", 0).put("on_disk", cfg.onDisk());
        config.putObject("optimizer_config").put("deleted_threshold", 0.33).put("vacuum_min_vector_number", 1000)
                .put("default_segment_number", 0).put("max_segment_size", (long) cfg.segmentCapacity() * 4 * cfg.vectorDimensions() / 1024)
                .putNull("memmap_threshold").put("indexing_threshold", cfg.indexingThresholdKb()).put("flush_interval_sec", 0)
                .put("max_optimization_threads", 1).put("compaction_mb_per_second", cfg.compactionMbPerSecond());
        config.putObject("wal_config").put("wal_capacity_mb", 32).put("wal_segments_ahead", 0)
                .put("durability", cfg.durability() == null ? null : cfg.durability().name().toLowerCase());
        config.set("quantization_config", QuantizationJson.echo(cfg.quantization()));
        config.set("tiering_config", TieringJson.echo(cfg.tiering()));
        memory(r.putObject("memory"), c);
        ObjectNode schema = r.putObject("payload_schema");
        c.payloadSchema().forEach((field, type) -> schema.putObject(field).put("data_type", type.apiName())
                .put("points", c.payloadIndexPoints(field)));
        ObjectNode ours = r.putObject("vectorflow");
        ours.put("read_only_reason", c.readOnlyReason());
        ours.put("unindexed_points", unindexed);
        ours.put("bytes_on_disk", c.bytesOnDisk());
        ours.put("bytes_in_memory", c.bytesInMemory());
        ours.put("quantization_complete", c.quantizationComplete());
        TieringJson.tiers(ours.putObject("tiers"), c, cache);
        if (degraded) {
            ours.put("degraded", "the object store holding " + "this collection's cold segments could not be reached ("
                    + storeError + "); searches answer from the local tiers only");
        }
        ObjectNode recall = ours.putObject("estimated_recall");
        for (Map.Entry<String, RecallSampler.Estimate> e : c.recallEstimates().entrySet()) {
            recall.putObject(e.getKey()).put("recall", e.getValue().recall()).put("samples", e.getValue().samples());
        }
        return r;
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
