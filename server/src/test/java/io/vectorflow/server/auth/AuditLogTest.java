package io.vectorflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log rotates by size, keeps the newest files, and loses no entry on the way. */
class AuditLogTest {

    @TempDir
    Path dir;

    @Test
    void rotatesBySizeKeepingTheNewestFiles() throws Exception {
        int entries = 2_000;
        try (AuditLog log = AuditLog.in(dir, 20_000, 3)) {
            for (int i = 0; i < entries; i++) {
                log.record("k" + i, "default", "PUT /collections/{name}/points", "docs", "200", "r" + i);
            }
        }
        Path audit = dir.resolve("audit");
        List<Path> files;
        try (Stream<Path> s = Files.list(audit)) {
            files = s.sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("audit.log", "audit.log.1", "audit.log.2", "audit.log.3");
        for (Path f : files) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(20_000);
        }
        // The files hold the newest entries, in order, without a gap: the last is the last written.
        List<String> newest = Files.readAllLines(audit.resolve("audit.log"));
        assertThat(newest.getLast()).contains("\"key\":\"k" + (entries - 1) + "\"");
        List<String> all = new java.util.ArrayList<>();
        for (String name : List.of("audit.log.3", "audit.log.2", "audit.log.1", "audit.log")) {
            all.addAll(Files.readAllLines(audit.resolve(name)));
        }
        int first = Integer.parseInt(all.getFirst().replaceAll(".*\"key\":\"k(\\d+)\".*", "$1"));
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i)).contains("\"key\":\"k" + (first + i) + "\"");
        }
    }
}
