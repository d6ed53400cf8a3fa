package io.vectorflow.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Stateful property: any sequence of upserts (overwriting ids), deletes, flushes (seals),
 * compactions, clean reopens and crash reopens (the store abandoned, its log replayed) leaves the
 * store holding exactly what an in-memory map says, checked after every step.
 */
class StoreModelPropertiesTest {

    static final int DIM = 4;
    static final int IDS = 60;

    /** The store under test and the model it must match. */
    static final class State {
        final Path dir;
        CollectionStore store;
        final Map<Long, Integer> model = new HashMap<>();
        int version;

        State() {
            try {
                dir = Files.createTempDirectory("vectorflow-model");
                store = open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        CollectionStore open() throws IOException {
            return CollectionStore.open(Disk.REAL, dir, new StoreOptions(DIM, Metrics.EUCLIDEAN, new HnswParams(6, 16, 1),
                    25, StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, Durability.FSYNC, 100, 1, false, true, 100_000, 0, false));
        }

        static float[] vector(long id, int version) {
            SplittableRandom r = new SplittableRandom(id * 1_000_003 + version);
            float[] v = new float[DIM];
            for (int i = 0; i < DIM; i++) {
                v[i] = (float) r.nextGaussian();
            }
            return v;
        }

        void upsert(List<Integer> ids) {
            List<PointRecord> batch = new ArrayList<>();
            Map<Long, Integer> written = new HashMap<>();
            for (int id : ids) {
                int v = ++version;
                batch.add(new PointRecord(PointId.of(id), vector(id, v), ("{\"v\":" + v + "}").getBytes(StandardCharsets.UTF_8)));
                written.put((long) id, v); // the last of repeated ids in one batch wins
            }
            store.upsert(batch);
            model.putAll(written);
        }

        void delete(List<Integer> ids) {
            int expected = (int) ids.stream().distinct().filter(id -> model.containsKey((long) id)).count();
            assertThat(store.delete(ids.stream().map(id -> PointId.of(id)).toList())).isEqualTo(expected);
            ids.forEach(id -> model.remove((long) id));
        }

        void reopen(boolean crash) {
            try {
                if (crash) {
                    store.halt(); // its background work stops, as a dead process's does
                } else {
                    store.close();
                }
                store = open(); // after a "crash" the old store is simply abandoned: the log is replayed
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void check() {
            long live = store.view().all().stream().mapToLong(Segment::liveCount).sum();
            assertThat(live).as("live points").isEqualTo(model.size());
            for (long id = 0; id < IDS; id++) {
                CollectionStore.Location loc = store.find(PointId.of(id));
                Integer v = model.get(id);
                if (v == null) {
                    assertThat(loc).as("deleted or never written %d", id).isNull();
                } else {
                    assertThat(loc).as("point %d", id).isNotNull();
                    assertThat(loc.segment().vector(loc.ordinal())).as("vector of %d", id).containsExactly(vector(id, v));
                    assertThat(new String(loc.segment().payload(loc.ordinal()), StandardCharsets.UTF_8)).isEqualTo("{\"v\":" + v + "}");
                }
            }
        }

        void dispose() {
            store.close();
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Arbitrary<List<Integer>> ids(int max) {
        return Arbitraries.integers().between(0, IDS - 1).list().ofMinSize(1).ofMaxSize(max);
    }

    @Property(tries = 60)
    void anySequenceOfOperationsMatchesTheModel(@ForAll("chains") ActionChain<State> chain) {
        chain.withInvariant("store matches model", State::check);
        State end = chain.run();
        end.dispose();
    }

    @Provide
    Arbitrary<ActionChain<State>> chains() {
        return ActionChain.<State>startWith(State::new)
                .withAction(4, (Action.Independent<State>) () -> ids(15).map(ids -> Transformer.mutate("upsert " + ids, s -> s.upsert(ids))))
                .withAction(2, (Action.Independent<State>) () -> ids(5).map(ids -> Transformer.mutate("delete " + ids, s -> s.delete(ids))))
                .withAction(1, (Action.Independent<State>) () -> Arbitraries.just(Transformer.mutate("flush", s -> s.store.flush())))
                .withAction(1, (Action.Independent<State>) () -> Arbitraries.just(Transformer.mutate("compact", s -> {
                    try {
                        s.store.compact();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })))
                .withAction(1, (Action.Independent<State>) () -> Arbitraries.of(true, false)
                        .map(crash -> Transformer.mutate(crash ? "crash and reopen" : "close and reopen", s -> s.reopen(crash))))
                .withMaxTransformations(30);
    }
}
