package io.vectorflow.engine;

import io.vectorflow.storage.PointId;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashLoopTest}: writes to a database from three threads until it is
 * killed, recording every acknowledged write in a side file ({@code U first last} for upserted id
 * ranges, {@code D id} for deletes) only after the call returned, and each delete as attempted
 * ({@code d id}) before the call. A point's vector and payload
 * follow from its id, so the parent can check them exactly.
 *
 * <p>Arguments: data directory, side file, first id to use, random seed.
 */
public final class CrashWriter {

    static final String COLLECTION = "crash";
    static final int DIM = 16;

    private CrashWriter() {}

    static float[] vector(long id) {
        SplittableRandom r = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 11);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static Map<String, Object> payload(long id) {
        return Map.of("id", String.valueOf(id), "tag", "t" + (id % 7), "nested", Map.of("even", id % 2 == 0));
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Path sideFile = Path.of(args[1]);
        long firstId = Long.parseLong(args[2]);
        long seed = Long.parseLong(args[3]);
        Database db = Database.open(dataDir);
        Collection c;
        try {
            c = db.collection(COLLECTION);
        } catch (NotFoundException e) {
            c = db.createCollection(CollectionConfig.of(COLLECTION, DIM, "euclidean").withSegmentCapacity(700).withHnsw(8, 32));
        }
        Collection collection = c;
        FileOutputStream side = new FileOutputStream(sideFile.toFile(), true);
        System.out.println("ready");
        System.out.flush();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long base = firstId + t * 1_000_000L;
            SplittableRandom rnd = new SplittableRandom(seed * 31 + t);
            writers.add(Thread.ofPlatform().start(() -> {
                long next = base;
                List<Long> mine = new ArrayList<>();
                try {
                    while (true) {
                        int size = 1 + rnd.nextInt(60);
                        List<Point> batch = new ArrayList<>(size);
                        for (long id = next; id < next + size; id++) {
                            batch.add(Point.of(id, vector(id), payload(id)));
                        }
                        collection.upsert(batch);
                        record(side, "U " + next + " " + (next + size - 1) + "\n");
                        for (long id = next; id < next + size; id++) {
                            mine.add(id);
                        }
                        next += size;
                        if (rnd.nextInt(4) == 0 && mine.size() > 10) {
                            long victim = mine.remove(rnd.nextInt(mine.size()));
                            record(side, "d " + victim + "\n"); // attempted: a kill from here on may or may not delete it
                            collection.delete(List.of(PointId.of(victim)));
                            record(side, "D " + victim + "\n");
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
    }

    private static void record(FileOutputStream side, String line) throws IOException {
        synchronized (side) {
            side.write(line.getBytes(StandardCharsets.US_ASCII)); // straight to the kernel: survives SIGKILL
        }
    }
}
