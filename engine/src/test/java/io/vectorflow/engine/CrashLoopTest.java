package io.vectorflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash loop: a child JVM ({@link CrashWriter}) writes with acknowledgements from three threads;
 * this test SIGKILLs it at a random moment (mid-write, mid-seal, mid-startup), reopens the
 * database and checks that every acknowledged point is there with its exact vector and payload,
 * and every acknowledged delete holds. The number of cycles is {@code -Dvectorflow.crash.cycles}
 * (50 by default; the {@code crash} Maven profile runs 1,000).
 */
class CrashLoopTest {

    @TempDir
    Path dir;

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        int cycles = Integer.getInteger("vectorflow.crash.cycles", 50);
        Path data = dir.resolve("data-0");
        Path side = dir.resolve("acks-0.txt");
        Files.createFile(side);
        Random random = new Random(Long.getLong("vectorflow.crash.seed", System.nanoTime()));
        long nextId = 0;
        long verifiedPoints = 0;
        int killedWhileWriting = 0;
        int compactions = 0; // merges the children finished (each child also gets killed in the middle of some)
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int cycle = 0; cycle < cycles; cycle++) {
            if (cycle > 0 && cycle % 10 == 0) {
                // A fresh directory every ten cycles keeps each check short (no compaction yet merges
                // the small segments every clean reopen leaves).
                data = dir.resolve("data-" + cycle);
                side = dir.resolve("acks-" + cycle + ".txt");
                Files.createFile(side);
            }
            Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(), CrashWriter.class.getName(),
                    data.toString(), side.toString(), Long.toString(nextId), Long.toString(random.nextLong()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            long sizeBefore = Files.size(side);
            Thread.sleep(100 + random.nextInt(800));
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            if (Files.size(side) > sizeBefore) {
                killedWhileWriting++;
            }
            String log = Files.readString(dir.resolve("child.log"));
            assertThat(log).as("child output, cycle %d", cycle).doesNotContain("Exception");
            compactions += log.split("compacted segments", -1).length - 1;
            long t0 = System.nanoTime();
            try {
                verifiedPoints += verify(data, side, cycle);
                if (System.getProperty("vectorflow.crash.timing") != null) {
                    System.out.printf("cycle %d verify %.0f ms%n", cycle, (System.nanoTime() - t0) / 1e6);
                }
            } catch (AssertionError e) {
                if (System.getProperty("vectorflow.crash.keep") != null) {
                    new ProcessBuilder("cp", "-r", dir.toString(), System.getProperty("vectorflow.crash.keep")).start().waitFor();
                }
                throw e;
            }
            nextId += 10_000_000L;
        }
        System.out.printf("crash loop: %d SIGKILL cycles (%d while writing acknowledged batches), %d point checks after restarts,"
                + " %d compactions completed by the children%n", cycles, killedWhileWriting, verifiedPoints, compactions);
        // Some kills land while the child JVM is still starting or replaying (worth testing too),
        // but most must land while it writes; on a loaded machine start-up takes longer.
        assertThat(killedWhileWriting).as("cycles that were killed after writes began").isGreaterThan(cycles / 4);
    }

    /** Reopens the database and checks it against the side file; returns the live points checked. */
    private static long verify(Path data, Path side, int cycle) throws IOException {
        Set<Long> written = new HashSet<>();
        Set<Long> deleted = new HashSet<>();
        Set<Long> deleteAttempted = new HashSet<>();
        for (String line : Files.readAllLines(side, StandardCharsets.US_ASCII)) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[0].equals("U")) {
                for (long id = Long.parseLong(f[1]); id <= Long.parseLong(f[2]); id++) {
                    written.add(id);
                }
            } else if (f.length == 2 && f[0].equals("D")) {
                deleted.add(Long.parseLong(f[1]));
            } else if (f.length == 2 && f[0].equals("d")) {
                deleteAttempted.add(Long.parseLong(f[1]));
            }
            // a line cut short by the kill was never a complete acknowledgement record
        }
        try (Database db = Database.open(data)) {
            if (written.isEmpty()) {
                return 0;
            }
            Collection c = db.collection(CrashWriter.COLLECTION);
            assertThat(c.readOnlyReason()).as("cycle %d: %s", cycle, c.recoveryReport()).isNull();
            List<PointId> ids = new ArrayList<>();
            written.forEach(id -> ids.add(PointId.of(id)));
            List<Record> found = c.get(ids, true, true);
            Set<Long> present = new HashSet<>();
            for (Record r : found) {
                long id = r.id().lsb();
                present.add(id);
                assertThat(r.vector()).as("cycle %d: vector of %d", cycle, id).containsExactly(CrashWriter.vector(id));
                assertThat(Json.MAPPER.convertValue(r.payload(), java.util.Map.class)).as("cycle %d: payload of %d", cycle, id)
                        .isEqualTo(Json.MAPPER.convertValue(CrashWriter.payload(id), java.util.Map.class));
            }
            for (long id : written) {
                if (deleted.contains(id)) {
                    assertThat(present).as("cycle %d: acknowledged delete of %d", cycle, id).doesNotContain(id);
                } else if (!deleteAttempted.contains(id)) {
                    assertThat(present).as("cycle %d: acknowledged point %d (%s)", cycle, id, c.recoveryReport()).contains(id);
                }
            }
            // Search still works on the recovered state and finds a surviving point first.
            long probe = present.iterator().next();
            SearchResult r = c.search(SearchRequest.of(CrashWriter.vector(probe), 1));
            assertThat(r.points().getFirst().score()).isZero();
            return present.size();
        }
    }
}
