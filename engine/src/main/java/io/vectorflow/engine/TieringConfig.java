package io.vectorflow.engine;

import java.util.Locale;

/**
 * A collection's tiering policy ({@code tiering_config}): where its sealed segments' float
 * vectors may live and what moves them. Graphs, quantized codes, ids and payloads always stay
 * local; only the float vectors go to the object tier, and only in a collection with
 * quantization (a cold segment is walked on its codes and fetches just its rescoring candidates).
 *
 * @param pinned                 {@code "disk"}: every segment stays local (cold ones come back);
 *                               {@code "object"}: every sealed segment moves to the object tier;
 *                               {@code "archive"}: every sealed segment is archived;
 *                               null: placement by access, as the other fields say
 * @param objectAfterIdleSeconds a segment no search touched for this long moves to the object
 *                               tier; null: never by age
 * @param diskBudgetBytes        local bytes of sealed float vectors this collection may keep;
 *                               beyond it the least used segments move out first; null: no limit
 * @param promoteAfterHits       a cold segment whose decayed count of searches reaches this comes
 *                               back to disk (the count halves every {@value #HALF_LIFE_SECONDS} s)
 * @param archiveAfterIdleSeconds a segment no search touched for this long is archived
 *                               (zstd-compressed objects; a search restores it first, and says how
 *                               long that took); null: never
 */
public record TieringConfig(String pinned, Long objectAfterIdleSeconds, Long diskBudgetBytes, double promoteAfterHits,
                            Long archiveAfterIdleSeconds) {

    /** Half-life of a segment's decayed search count. */
    public static final int HALF_LIFE_SECONDS = 60;
    public static final double DEFAULT_PROMOTE_AFTER_HITS = 32;

    public TieringConfig {
        if (pinned != null) {
            pinned = pinned.toLowerCase(Locale.ROOT);
            if (!pinned.equals("disk") && !pinned.equals("object") && !pinned.equals("archive")) {
                throw new IllegalArgumentException("tiering_config.pinned must be \"disk\", \"object\", \"archive\" or null, got '"
                        + pinned + "'");
            }
        }
        if (objectAfterIdleSeconds != null && objectAfterIdleSeconds < 0) {
            throw new IllegalArgumentException("tiering_config.object_after_idle_s must not be negative, got " + objectAfterIdleSeconds);
        }
        if (diskBudgetBytes != null && diskBudgetBytes < 0) {
            throw new IllegalArgumentException("tiering_config.disk_budget_bytes must not be negative, got " + diskBudgetBytes);
        }
        if (archiveAfterIdleSeconds != null && archiveAfterIdleSeconds < 0) {
            throw new IllegalArgumentException("tiering_config.archive_after_idle_s must not be negative, got " + archiveAfterIdleSeconds);
        }
        if (!(promoteAfterHits > 0) || Double.isInfinite(promoteAfterHits)) {
            throw new IllegalArgumentException("tiering_config.promote_after_hits must be a positive number, got " + promoteAfterHits);
        }
    }

    /** A policy without archiving. */
    public TieringConfig(String pinned, Long objectAfterIdleSeconds, Long diskBudgetBytes, double promoteAfterHits) {
        this(pinned, objectAfterIdleSeconds, diskBudgetBytes, promoteAfterHits, null);
    }

    /** Whether this policy may move a segment to the object tier at all. */
    public boolean mayDemote() {
        return !"disk".equals(pinned) && (pinned != null || objectAfterIdleSeconds != null || diskBudgetBytes != null
                || archiveAfterIdleSeconds != null);
    }
}
