package io.vectorflow.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.Durability;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A collection's {@code collection.json}: its {@link CollectionConfig} as pretty-printed JSON,
 * with the fields {@code name, dimension, metric, m, ef_construction, segment_capacity,
 * durability, on_disk, indexing_threshold_kb, compaction_mb_per_second}, and where set
 * {@code quantization} {scheme, quantile, always_ram, compression}, {@code tiering} {pinned,
 * object_after_idle_s, disk_budget_bytes, promote_after_hits, archive_after_idle_s} and {@code vectors} {dense: [{name,
 * size, distance, m, ef_construct, on_disk}], sparse: [{name, idf}]}.
 */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The collection's settings as stored in its {@code collection.json}. */
    static CollectionConfig read(Path file) throws IOException {
        return read(Json.MAPPER.readTree(file.toFile()), file.getFileName().toString());
    }

    /** The settings in {@code n}, shaped as {@link #json} writes them; {@code source} names it in errors. */
    static CollectionConfig read(JsonNode n, String source) {
        for (String field : List.of("name", "dimension", "metric", "m", "ef_construction", "segment_capacity")) {
            if (n == null || !n.hasNonNull(field)) {
                throw new IllegalArgumentException(source + " lacks '" + field + "'");
            }
        }
        JsonNode d = n.get("durability");
        return new CollectionConfig(n.get("name").asText(), n.get("dimension").asInt(), n.get("metric").asText(),
                n.get("m").asInt(), n.get("ef_construction").asInt(), n.get("segment_capacity").asInt(),
                d == null || d.isNull() ? null : Durability.parse(d.asText()), n.path("on_disk").asBoolean(false),
                n.path("indexing_threshold_kb").asInt(0),
                n.hasNonNull("compaction_mb_per_second") ? n.get("compaction_mb_per_second").asDouble() : null,
                readVectors(n.get("vectors")), readQuantization(n.get("quantization")), readTiering(n.get("tiering")));
    }

    /** The stored quantization (as {@link #json} writes it), or null for none. */
    private static io.vectorflow.core.quant.QuantizationSpec readQuantization(JsonNode q) {
        if (q == null || q.isNull()) {
            return null;
        }
        return new io.vectorflow.core.quant.QuantizationSpec(
                io.vectorflow.core.quant.QuantizationSpec.Scheme.valueOf(q.path("scheme").asText().toUpperCase(java.util.Locale.ROOT)),
                (float) q.path("quantile").asDouble(io.vectorflow.core.quant.QuantizationSpec.DEFAULT_QUANTILE),
                q.path("always_ram").asBoolean(true), q.path("compression").asInt(0));
    }

    /** The stored tiering policy (as {@link #json} writes it), or null for none. */
    private static TieringConfig readTiering(JsonNode t) {
        if (t == null || t.isNull()) {
            return null;
        }
        return new TieringConfig(t.hasNonNull("pinned") ? t.get("pinned").asText() : null,
                t.hasNonNull("object_after_idle_s") ? t.get("object_after_idle_s").asLong() : null,
                t.hasNonNull("disk_budget_bytes") ? t.get("disk_budget_bytes").asLong() : null,
                t.path("promote_after_hits").asDouble(TieringConfig.DEFAULT_PROMOTE_AFTER_HITS),
                t.hasNonNull("archive_after_idle_s") ? t.get("archive_after_idle_s").asLong() : null);
    }

    /** The named vectors of a {@code collection.json}, or null when it has none. */
    private static VectorsConfig readVectors(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        List<VectorsConfig.Dense> dense = new java.util.ArrayList<>();
        for (JsonNode d : v.path("dense")) {
            dense.add(new VectorsConfig.Dense(d.get("name").asText(), d.get("size").asInt(), d.get("distance").asText(),
                    d.hasNonNull("m") ? d.get("m").asInt() : null, d.hasNonNull("ef_construct") ? d.get("ef_construct").asInt() : null,
                    d.hasNonNull("on_disk") ? d.get("on_disk").asBoolean() : null));
        }
        List<VectorsConfig.Sparse> sparse = new java.util.ArrayList<>();
        for (JsonNode d : v.path("sparse")) {
            sparse.add(new VectorsConfig.Sparse(d.get("name").asText(), d.path("idf").asBoolean(false)));
        }
        return new VectorsConfig(dense, sparse);
    }

    /** {@code collection.json}: the settings of {@link CollectionConfig}, pretty-printed. */
    static byte[] json(CollectionConfig c) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", c.name()).put("dimension", c.dimension()).put("metric", c.metric()).put("m", c.m())
                .put("ef_construction", c.efConstruction()).put("segment_capacity", c.segmentCapacity())
                .put("durability", c.durability() == null ? null : c.durability().name().toLowerCase())
                .put("on_disk", c.onDisk()).put("indexing_threshold_kb", c.indexingThresholdKb())
                .put("compaction_mb_per_second", c.compactionMbPerSecond());
        if (c.quantization() != null) {
            n.putObject("quantization").put("scheme", c.quantization().scheme().apiName())
                    .put("quantile", c.quantization().quantile()).put("always_ram", c.quantization().alwaysRam())
                    .put("compression", c.quantization().compression());
        }
        if (c.tiering() != null) {
            n.putObject("tiering").put("pinned", c.tiering().pinned())
                    .put("object_after_idle_s", c.tiering().objectAfterIdleSeconds())
                    .put("disk_budget_bytes", c.tiering().diskBudgetBytes())
                    .put("promote_after_hits", c.tiering().promoteAfterHits())
                    .put("archive_after_idle_s", c.tiering().archiveAfterIdleSeconds());
        }
        if (c.vectors() != null) {
            ObjectNode v = n.putObject("vectors");
            c.vectors().dense().forEach(d -> v.withArray("dense").addObject().put("name", d.name()).put("size", d.size())
                    .put("distance", d.distance()).put("m", d.m()).put("ef_construct", d.efConstruct()).put("on_disk", d.onDisk()));
            var sparse = v.putArray("sparse");
            c.vectors().sparse().forEach(d -> sparse.addObject().put("name", d.name()).put("idf", d.idf()));
        }
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
    }

}
