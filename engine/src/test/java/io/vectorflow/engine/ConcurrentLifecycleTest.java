package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.storage.PointId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers (upserts that overwrite, deletes), readers and compaction at once, with small segments
 * so seals and merges happen throughout, checked against a model: readers only ever see a version
 * that was written for an id, never two live copies of one id; at the end, and after a reopen, the
 * collection holds exactly each writer's last acknowledged state.
 */
class ConcurrentLifecycleTest {

    @TempDir
    Path dir;

    static final int DIM = 8;

    static float[] vector(long id, int version) {
        SplittableRandom r = new SplittableRandom(id * 31 + version);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void writersReadersAndCompactionAgreeWithTheModel() throws Exception {
        int writers = 3, idsPerWriter = 400, rounds = 300;
        List<Map<Long, Integer>> models = new ArrayList<>(); // id -> version, absent when deleted
        Map<Long, Set<Integer>> everWritten = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        try (Database db = Database.open(dir)) {
            Collection c = db.createCollection(CollectionConfig.of("live", DIM, "euclidean").withHnsw(8, 32).withSegmentCapacity(300));
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Map<Long, Integer> model = new HashMap<>();
                models.add(model);
                long base = w * 1_000_000L;
                SplittableRandom r = new SplittableRandom(w);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int round = 0; round < rounds; round++) {
                            if (r.nextInt(5) == 0 && !model.isEmpty()) {
                                long id = base + r.nextInt(idsPerWriter);
                                c.delete(List.of(PointId.of(id)));
                                model.remove(id);
                            } else {
                                List<Point> batch = new ArrayList<>();
                                Set<Long> inBatch = new HashSet<>();
                                for (int i = 0; i < 1 + r.nextInt(20); i++) {
                                    long id = base + r.nextInt(idsPerWriter);
                                    int version = round * 100 + i;
                                    if (inBatch.add(id)) {
                                        everWritten.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(version);
                                        batch.add(new Point(PointId.of(id), vector(id, version),
                                                Json.MAPPER.valueToTree(Map.of("v", version))));
                                    }
                                }
                                c.upsert(batch);
                                batch.forEach(p -> model.put(p.id().lsb(), p.payload().get("v").asInt()));
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            Thread reader = Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(99);
                try {
                    while (!done.get()) {
                        long id = r.nextInt(writers) * 1_000_000L + r.nextInt(idsPerWriter);
                        for (Record rec : c.get(List.of(PointId.of(id)), true, false)) {
                            int v = rec.payload().get("v").asInt();
                            assertThat(everWritten.get(id)).as("a version of %d that was written", id).contains(v);
                        }
                        SearchResult s = c.search(SearchRequest.of(vector(id, 0), 20));
                        Set<PointId> seen = new HashSet<>();
                        for (ScoredPoint p : s.points()) {
                            assertThat(seen.add(p.id())).as("one live copy of %s", p.id()).isTrue();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            Thread compactor = Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) {
                        c.store().compact();
                        Thread.sleep(20);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            for (Thread t : threads) {
                t.join();
            }
            done.set(true);
            reader.join();
            compactor.join();
            assertThat(failure.get()).isNull();
            assertMatchesModel(c, models);
        }
        try (Database db = Database.open(dir)) {
            assertMatchesModel(db.collection("live"), models);
        }
    }

    private static void assertMatchesModel(Collection c, List<Map<Long, Integer>> models) {
        long expected = 0;
        for (Map<Long, Integer> model : models) {
            expected += model.size();
            for (Map.Entry<Long, Integer> e : model.entrySet()) {
                List<Record> got = c.get(List.of(PointId.of(e.getKey())), true, true);
                assertThat(got).as("point %d", e.getKey()).hasSize(1);
                assertThat(got.getFirst().payload().get("v").asInt()).isEqualTo(e.getValue());
                assertThat(got.getFirst().vector()).containsExactly(vector(e.getKey(), e.getValue()));
            }
        }
        assertThat(c.count(null)).isEqualTo(expected);
    }
}
