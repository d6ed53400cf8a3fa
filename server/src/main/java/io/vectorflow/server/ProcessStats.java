package io.vectorflow.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the operating system says a process holds, read from Linux's {@code /proc}: resident
 * memory (all of it, and the anonymous part: heap and native blocks, not file pages), memory
 * mappings and open files. The server exports its own as metrics; tests and benchmarks read a
 * server process's from outside. Every figure is -1 where {@code /proc} has none (another
 * operating system, or the process is gone).
 */
public final class ProcessStats {

    private final Path dir;

    private ProcessStats(Path dir) {
        this.dir = dir;
    }

    /** The figures of process {@code pid}. */
    public static ProcessStats of(long pid) {
        return new ProcessStats(Path.of("/proc", Long.toString(pid)));
    }

    /** The figures of this process. */
    public static ProcessStats self() {
        return of(ProcessHandle.current().pid());
    }

    /** Resident memory in bytes ({@code VmRSS}). */
    public long residentBytes() {
        return status("VmRSS:");
    }

    /** Resident anonymous memory in bytes ({@code RssAnon}): heap and native allocations. */
    public long anonymousBytes() {
        return status("RssAnon:");
    }

    /** Memory mappings (lines of {@code maps}). */
    public long mappings() {
        return count(dir.resolve("maps"), true);
    }

    /** Open file descriptors (entries of {@code fd}). */
    public long openFiles() {
        return count(dir.resolve("fd"), false);
    }

    private long status(String field) {
        try (Stream<String> lines = Files.lines(dir.resolve("status"))) {
            return lines.filter(l -> l.startsWith(field)).findFirst()
                    .map(l -> Long.parseLong(l.substring(field.length()).replaceAll("\\D", "")) * 1024).orElse(-1L);
        } catch (NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(Path p, boolean lines) {
        try (Stream<?> s = lines ? Files.lines(p) : Files.list(p)) {
            return s.count();
        } catch (NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
