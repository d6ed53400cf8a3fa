package io.vectorflow.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.storage.PointId;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HashRingTest {

    @Test
    void spreadsPointsEvenlyOverShards() {
        HashRing ring = new HashRing(4);
        int[] n = new int[4];
        for (long i = 0; i < 100_000; i++) {
            n[ring.shardOf(PointId.of(i))]++;
        }
        for (int c : n) {
            assertThat(c).isBetween(20_000, 30_000); // 25,000 each when perfectly even
        }
        int[] u = new int[4];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 40_000; i++) {
            u[ring.shardOf(PointId.of(new UUID(r.nextLong(), r.nextLong())))]++;
        }
        for (int c : u) {
            assertThat(c).isBetween(8_000, 12_000);
        }
    }

    @Test
    void addingAShardMovesOnlyThePointsItTakesOver() {
        HashRing four = new HashRing(4);
        HashRing five = new HashRing(5);
        int moved = 0;
        for (long i = 0; i < 100_000; i++) {
            int before = four.shardOf(PointId.of(i));
            int after = five.shardOf(PointId.of(i));
            if (before != after) {
                moved++;
                assertThat(after).as("a point that moves goes to the new shard").isEqualTo(4);
            }
        }
        // ideally 1/5 of the points; hash mod n would move about 4/5
        assertThat(moved).isBetween(14_000, 26_000);
    }

    @Test
    void everyNodeComputesTheSameRing() {
        HashRing a = new HashRing(7);
        HashRing b = new HashRing(7);
        for (long i = 0; i < 10_000; i++) {
            assertThat(a.shardOf(PointId.of(i))).isEqualTo(b.shardOf(PointId.of(i)));
        }
        assertThat(new HashRing(1).shardOf(PointId.of(123))).isZero();
    }

    @Test
    void refusesImpossibleShardCounts() {
        assertThatThrownBy(() -> new HashRing(0)).hasMessageContaining("shard_number");
        assertThatThrownBy(() -> new HashRing(5000)).hasMessageContaining("shard_number");
    }
}
