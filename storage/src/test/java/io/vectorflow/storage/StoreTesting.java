package io.vectorflow.storage;

import io.vectorflow.core.hnsw.HnswParams;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Shared helpers: small stores and deterministic points (a point's vector and payload follow from its id). */
final class StoreTesting {

    static final int DIM = 8;

    private StoreTesting() {}

    static StoreOptions options(int segmentCapacity) {
        return new StoreOptions(DIM, Metrics.EUCLIDEAN, new HnswParams(6, 24, 1), segmentCapacity,
                StoreOptions.DEFAULT_SEGMENT_PAYLOAD_BYTES, Durability.FSYNC, 100, 1, false, true, 100_000, 0, false);
    }

    static CollectionStore open(Disk disk, Path dir, int segmentCapacity) throws IOException {
        return CollectionStore.open(disk, dir, options(segmentCapacity));
    }

    static float[] vector(long id) {
        SplittableRandom r = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 7);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static byte[] payload(long id) {
        return ("{\"id\":" + id + ",\"tag\":\"t" + (id % 7) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static List<PointRecord> points(long from, int count) {
        List<PointRecord> out = new ArrayList<>();
        for (long id = from; id < from + count; id++) {
            out.add(new PointRecord(PointId.of(id), vector(id), payload(id)));
        }
        return out;
    }
}
