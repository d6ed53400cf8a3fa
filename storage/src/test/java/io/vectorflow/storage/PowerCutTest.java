package io.vectorflow.storage;

import static io.vectorflow.storage.StoreTesting.payload;
import static io.vectorflow.storage.StoreTesting.points;
import static io.vectorflow.storage.StoreTesting.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts and disk errors at every step of a workload: for each N, the Nth file-system call
 * either fails ("disk full") or cuts the power; the directory is then put back to what a real
 * power cut would leave (only forced data, only synced names), reopened, and checked: every
 * acknowledged write is there, every acknowledged delete holds, and nothing appears that was
 * never written.
 */
class PowerCutTest {

    @TempDir
    Path root;

    /** What the workload had acknowledged when it stopped. */
    private static final class Acks {
        final Set<Long> written = new HashSet<>();
        final Set<Long> deleted = new HashSet<>();
        final Set<Long> attempted = new HashSet<>(); // written or not: a failed call may or may not have landed
        final Set<Long> deleteAttempted = new HashSet<>();
    }

    /**
     * Batches of new ids, some deletes, segments of 40 so several seals happen, flushes that leave
     * small segments and compactions that merge them; stops at the first failure.
     */
    private static void workload(FaultyDisk disk, Path dir, Acks acks) throws IOException {
        CollectionStore store = StoreTesting.open(disk, dir, 40);
        try {
            runWorkload(store, acks);
        } finally {
            store.halt(); // what the power cut leaves: no more background writes either
        }
    }

    private static void runWorkload(CollectionStore store, Acks acks) throws IOException {
        long next = 0;
        for (int batch = 0; batch < 14; batch++) {
            int size = 7 + batch % 5;
            for (long id = next; id < next + size; id++) {
                acks.attempted.add(id);
            }
            store.upsert(points(next, size));
            for (long id = next; id < next + size; id++) {
                acks.written.add(id);
            }
            next += size;
            if (batch % 3 == 2) {
                List<PointId> ids = List.of(PointId.of(next - 3), PointId.of(next - 20));
                acks.deleteAttempted.add(next - 3);
                acks.deleteAttempted.add(next - 20);
                store.delete(ids);
                acks.deleted.add(next - 3);
                acks.deleted.add(next - 20);
            }
            if (batch % 2 == 1) {
                store.flush(); // a small segment
            }
            if (batch % 6 == 5) {
                store.compact(); // merges the small ones
            }
        }
        store.close();
    }

    /** Checks the reopened collection against the acknowledgements; returns the problems found. */
    private static List<String> check(Path dir, Acks acks) throws IOException {
        List<String> problems = new ArrayList<>();
        try (CollectionStore store = StoreTesting.open(io.vectorflow.storage.io.Disk.REAL, dir, 40)) {
            for (long id : acks.written) {
                CollectionStore.Location loc = store.find(PointId.of(id));
                if (acks.deleted.contains(id)) {
                    if (loc != null) {
                        problems.add("deleted point " + id + " is back");
                    }
                } else if (loc == null) {
                    if (!acks.deleteAttempted.contains(id)) {
                        problems.add("acknowledged point " + id + " is lost");
                    }
                } else if (!java.util.Arrays.equals(loc.segment().vector(loc.ordinal()), vector(id))
                        || !java.util.Arrays.equals(loc.segment().payload(loc.ordinal()), payload(id))) {
                    problems.add("point " + id + " has the wrong vector or payload");
                }
            }
            for (var seg : store.view().all()) {
                for (int o = 0; o < seg.size(); o++) {
                    long id = seg.id(o).lsb();
                    if (!seg.isDeleted(o) && !acks.attempted.contains(id)) {
                        problems.add("point " + id + " was never written");
                    }
                }
            }
            // The reopened store must take writes again.
            store.upsert(points(10_000, 3));
        }
        return problems;
    }

    private record Outcome(boolean reachedN, List<String> problems) {}

    private Outcome run(long n, boolean cut, boolean forceIsNoOp) throws IOException {
        Path dir = root.resolve((cut ? "cut-" : "fail-") + (forceIsNoOp ? "noforce-" : "") + n);
        FaultyDisk disk = new FaultyDisk();
        disk.forceIsNoOp = forceIsNoOp;
        if (cut) {
            disk.cutAt = n;
        } else {
            disk.failAt = n;
        }
        Acks acks = new Acks();
        try {
            workload(disk, dir, acks);
        } catch (IOException | StorageException | FaultyDisk.PowerCut e) {
            // expected: the write in flight is not acknowledged
        }
        boolean reached = disk.operations() >= n;
        disk.powerCut();
        List<String> problems;
        try {
            problems = check(dir, acks);
        } catch (IOException | RuntimeException e) {
            problems = List.of("reopening failed: " + e);
        }
        deleteTree(dir);
        return new Outcome(reached, problems);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesAPowerCutOrDiskErrorAtEveryStep() throws IOException {
        int steps = 0;
        for (boolean cut : new boolean[] {true, false}) {
            for (long n = 1; ; n++) {
                Outcome o = run(n, cut, false);
                assertThat(o.problems()).as("%s at operation %d", cut ? "power cut" : "disk error", n).isEmpty();
                if (!o.reachedN()) {
                    break; // the workload finished before operation n: every step has been covered
                }
                steps++;
            }
        }
        System.out.println("power-cut test: " + steps + " failure points covered");
        assertThat(steps).as("file-system operations covered").isGreaterThan(200);
    }

    @Test
    void withoutForceThePowerCutCheckSeesTheLoss() throws IOException {
        // Sensitivity: the same loop with force() made a no-op must find acknowledged writes lost.
        int detected = 0;
        for (long n = 5; n < 400; n += 7) {
            Outcome o = run(n, true, true);
            if (!o.problems().isEmpty()) {
                detected++;
            }
            if (!o.reachedN()) {
                break;
            }
        }
        System.out.println("power-cut sensitivity: loss detected at " + detected + " cut points with force() disabled");
        assertThat(detected).as("power cuts at which missing forces lost acknowledged data").isPositive();
    }
}
