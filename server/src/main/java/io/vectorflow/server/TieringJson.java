package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.TieringConfig;
import io.vectorflow.storage.segment.SealedSegment;
import java.util.List;
import java.util.Set;

/**
 * Tiers in JSON, read and written in one place: a collection's {@code tiering_config}
 * ({@code {"pinned": "disk"|"object"|"archive"|null, "object_after_idle_s", "disk_budget_bytes",
 * "promote_after_hits", "archive_after_idle_s"}}, or {@code null} in an update to remove it), the per-tier bytes and
 * monthly cost a collection's info reports, and the {@code tiers} of a search's performance.
 */
final class TieringJson {

    private static final Set<String> FIELDS = Set.of("pinned", "object_after_idle_s", "disk_budget_bytes", "promote_after_hits",
            "archive_after_idle_s");

    /** What a body asks for: no change, no policy, or a policy. */
    record Setting(boolean given, TieringConfig config) {
        static final Setting UNCHANGED = new Setting(false, null);
    }

    private TieringJson() {}

    /** Reads {@code body.tiering_config} (absent: {@link Setting#UNCHANGED}; null: none). */
    static Setting setting(Body body, List<String> warnings) {
        if (!body.node().has("tiering_config")) {
            return Setting.UNCHANGED;
        }
        JsonNode t = body.get("tiering_config");
        if (t == null) {
            return new Setting(true, null);
        }
        Body b = Body.of(t, body.path("tiering_config")).check(FIELDS, Set.of(), warnings);
        try {
            return new Setting(true, new TieringConfig(b.string("pinned", null),
                    b.has("object_after_idle_s") ? b.integer("object_after_idle_s", 0L, 0L, Long.MAX_VALUE / 1_000_000_000L) : null,
                    b.has("disk_budget_bytes") ? b.integer("disk_budget_bytes", 0L, 0L, Long.MAX_VALUE) : null,
                    b.number("promote_after_hits", TieringConfig.DEFAULT_PROMOTE_AFTER_HITS),
                    b.has("archive_after_idle_s") ? b.integer("archive_after_idle_s", 0L, 0L, Long.MAX_VALUE / 1_000_000_000L) : null));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The {@code tiering_config} a collection reports: null for none. */
    static JsonNode echo(TieringConfig t) {
        if (t == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("pinned", t.pinned()).put("object_after_idle_s", t.objectAfterIdleSeconds())
                .put("disk_budget_bytes", t.diskBudgetBytes()).put("promote_after_hits", t.promoteAfterHits())
                .put("archive_after_idle_s", t.archiveAfterIdleSeconds());
        return n;
    }

    /**
     * Per tier, the sealed segments and the bytes of their float vectors there, with what keeping
     * them costs a month: {@code memory} (loaded at open), {@code disk} (searched in place),
     * {@code object} and {@code archive}; plus the block cache of fetched vectors when the
     * database has one.
     */
    static void tiers(ObjectNode out, Collection c, io.vectorflow.storage.tier.BlockCache cache) {
        long[] segments = new long[4];
        long[] bytes = new long[4];
        for (SealedSegment s : c.store().view().sealed()) {
            int tier = s.isArchived() ? 3 : s.isCold() ? 2 : s.searchesInPlace() ? 1 : 0;
            segments[tier]++;
            bytes[tier] += s.vectorBytes();
        }
        var prices = c.prices();
        // archived vectors are priced at their uncompressed size: an upper bound (zstd keeps about 90% of float32 vectors)
        double[] monthly = {prices.monthly(bytes[0], 0), prices.monthly(0, bytes[1]), prices.monthlyObject(bytes[2]),
                prices.monthlyObject(bytes[3])};
        String[] names = {"memory", "disk", "object", "archive"};
        for (int i = 0; i < 4; i++) {
            out.putObject(names[i]).put("segments", segments[i]).put("vector_bytes", bytes[i]).put("monthly_cost_usd", monthly[i]);
        }
        if (cache != null) {
            var st = cache.stats();
            out.putObject("cache").put("capacity_bytes", st.capacityBytes()).put("bytes", st.bytes()).put("blocks", st.blocks())
                    .put("hit_rate", st.hitRate()).put("fetched_bytes", st.fetchedBytes()).put("evictions", st.evictions());
        }
    }

    /** A search's {@code performance.tiers}: segments per tier and what the object tier cost it. */
    static ObjectNode performance(SearchResult.Tiers t) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putObject("memory").put("segments", t.memory());
        n.putObject("disk").put("segments", t.disk());
        if (t.restored() > 0) {
            n.putObject("archive").put("segments_restored", t.restored()).put("restore_ms", t.restoreNanos() / 1e6);
        }
        ObjectNode object = n.putObject("object").put("segments", t.object());
        if (t.object() > 0) {
            object.put("blocks_fetched", t.blocksFetched()).put("bytes_fetched", t.bytesFetched()).put("cache_hits", t.cacheHits())
                    .put("wait_ms", t.waitNanos() / 1e6).put("unavailable_segments", t.unavailable());
        }
        return n;
    }
}
