package io.vectorflow.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.storage.PointId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MutableSegmentTest {

    private static float[] vector(int i) {
        return new float[] {i, i % 7, 1, -i};
    }

    private static byte[] payload(int i) {
        return ("{\"i\":" + i + ",\"pad\":\"" + "x".repeat(i % 50) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEmptySegmentHoldsAlmostNothingAndGrowsWithItsPoints() {
        MutableSegment m = new MutableSegment(4, Metrics.EUCLIDEAN, HnswParams.defaults());
        assertThat(m.bytesInMemory()).isZero();
        int n = 5000;
        for (int from = 0; from < n; from += 250) {
            long bytes = 0;
            for (int i = from; i < from + 250; i++) {
                bytes += payload(i).length;
            }
            m.reserve(250, bytes);
            for (int i = from; i < from + 250; i++) {
                m.write(PointId.of(i), vector(i), payload(i));
            }
            assertThat(m.size()).as("written but not published").isEqualTo(from);
            m.publish();
            assertThat(m.size()).isEqualTo(from + 250);
        }
        // About 16 bytes of vector, 132 of graph, 25 of ids and 12 + payload per point: no capacity reserved ahead.
        long perPoint = m.bytesInMemory() / n;
        assertThat(perPoint).isBetween(150L, 2L * (16 + 132 + 25 + 12 + 45));
        for (int i = 0; i < n; i += 97) {
            assertThat(m.find(PointId.of(i))).isEqualTo(i);
            assertThat(m.payload(i)).isEqualTo(payload(i));
            assertThat(m.vector(i)).containsExactly(vector(i));
        }
        assertThat(m.find(PointId.of(n + 1))).isEqualTo(-1);
        assertThat(m.payloadBytes()).isPositive();
    }

    @Test
    void aNewerVersionOfAnIdIsWhatFindSeesAndScrollOrderSkipsDeletedOnes() {
        MutableSegment m = new MutableSegment(4, Metrics.EUCLIDEAN, HnswParams.defaults());
        PointId uuid = PointId.of(UUID.fromString("00000000-0000-0000-0000-000000000002"));
        m.reserve(4, 0);
        m.write(PointId.of(9), vector(1), new byte[0]);
        m.write(uuid, vector(2), new byte[0]);
        m.write(PointId.of(3), vector(3), new byte[0]);
        m.publish();
        m.reserve(1, 0);
        int newer = m.write(PointId.of(9), vector(4), new byte[0]);
        m.publish();
        m.delete(0);
        assertThat(m.find(PointId.of(9))).isEqualTo(newer);
        List<PointId> order = new ArrayList<>();
        for (PrimitiveIterator.OfInt it = m.ordinalsInIdOrder(null); it.hasNext(); ) {
            order.add(m.id(it.nextInt()));
        }
        assertThat(order).containsExactly(PointId.of(3), PointId.of(9), uuid);
        m.delete(newer);
        assertThat(m.find(PointId.of(9))).isEqualTo(-1);
        assertThat(m.liveCount()).isEqualTo(2);
    }

    @Test
    void readersNeverSeeAHalfPublishedBatchWhileTheSegmentGrows() throws Exception {
        MutableSegment m = new MutableSegment(4, Metrics.EUCLIDEAN, HnswParams.defaults());
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    int n = m.size();
                    assertThat(n % 100).as("whole batches only").isZero();
                    for (int i = Math.max(0, n - 100); i < n; i++) {
                        assertThat(m.id(i)).isEqualTo(PointId.of(i));
                        assertThat(m.payload(i)).isEqualTo(payload(i));
                        assertThat(m.find(PointId.of(i))).isIn(i, -1); // -1 only before the id table caught up
                    }
                }
            } catch (Throwable e) {
                error.set(e);
            }
        });
        reader.start();
        for (int from = 0; from < 20_000; from += 100) {
            long bytes = 0;
            for (int i = from; i < from + 100; i++) {
                bytes += payload(i).length;
            }
            m.reserve(100, bytes);
            for (int i = from; i < from + 100; i++) {
                m.write(PointId.of(i), vector(i), payload(i));
            }
            m.publish();
        }
        done.set(true);
        reader.join();
        assertThat(error.get()).isNull();
        for (int i = 0; i < 20_000; i += 1234) {
            assertThat(m.find(PointId.of(i))).isEqualTo(i);
        }
    }
}
