package io.vectorflow.bench.latency;

import io.vectorflow.core.dataset.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * PostgreSQL with pgvector as the peer of the client benchmark, started in a directory of its
 * own on a free loopback port and stopped afterwards. Native where the machine has it (a
 * PostgreSQL server whose extension directory holds {@code vector.control}, or one built here
 * from a pgvector source tree given with {@code --pgvector-source}: Debian's
 * {@code postgresql-15} and {@code postgresql-server-dev-15}, then {@code make install});
 * otherwise PGlite, PostgreSQL compiled to WebAssembly with pgvector, from npm (marked WASM in
 * every row, as it runs one query at a time in a JavaScript runtime).
 */
final class PgvectorPeer implements AutoCloseable {

    static final String PGLITE = "@electric-sql/pglite@0.5.14";
    static final String PGLITE_VECTOR = "@electric-sql/pglite-pgvector@0.0.15";
    static final String PGLITE_SOCKET = "@electric-sql/pglite-socket@0.2.17";

    /** What the rows call this peer: {@code pgvector 0.8.6 (PostgreSQL 15)} or {@code … (PGlite, WASM)}. */
    final String label;
    final int port;
    private final Process process;
    private final Path dir;

    private PgvectorPeer(String label, int port, Process process, Path dir) {
        this.label = label;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /** The libpq connection string psycopg takes. */
    String dsn() {
        return "host=127.0.0.1 port=" + port + " user=postgres password=postgres dbname=postgres sslmode=disable";
    }

    String jdbc() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=postgres&sslmode=disable";
    }

    /** Starts the best pgvector this machine can run ({@code pglite}: PGlite whatever the machine has). */
    static PgvectorPeer start(Path pgvectorSource, boolean pglite, Path cache, Consumer<String> log)
            throws IOException, InterruptedException {
        if (pglite) {
            return pglite(cache, log);
        }
        Path bin = postgresBin();
        if (pgvectorSource != null && (bin == null || !Files.exists(extensionDir(bin).resolve("vector.control")))) {
            build(pgvectorSource, log);
            bin = postgresBin();
        }
        if (bin != null && Files.exists(extensionDir(bin).resolve("vector.control"))) {
            return nativeServer(bin, log);
        }
        log.accept("pgvector: no PostgreSQL with pgvector here (give --pgvector-source DIR to build it); using PGlite (WASM) from npm");
        return pglite(cache, log);
    }

    private static Path postgresBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (var versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(java.util.Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        }
    }

    private static Path extensionDir(Path bin) {
        return Path.of("/usr/share/postgresql", bin.getParent().getFileName().toString(), "extension");
    }

    /** Installs Debian's PostgreSQL 15 with its headers when missing, then builds and installs pgvector from {@code source}. */
    private static void build(Path source, Consumer<String> log) throws IOException, InterruptedException {
        if (postgresBin() == null || !Files.exists(Path.of("/usr/include/postgresql/15/server/postgres.h"))) {
            log.accept("pgvector: installing postgresql-15 and postgresql-server-dev-15 (apt-get)");
            run(List.of("apt-get", "install", "-y", "-qq", "postgresql-15", "postgresql-server-dev-15"), null, log);
        }
        log.accept("pgvector: building " + source + " (make && make install)");
        run(List.of("make", "-j" + Runtime.getRuntime().availableProcessors()), source, log);
        run(List.of("make", "install"), source, log);
    }

    private static PgvectorPeer nativeServer(Path bin, Consumer<String> log) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("vectorflow-bench-pg");
        Path data = dir.resolve("data");
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> as = root ? List.of("runuser", "-u", "postgres", "--") : List.of(); // PostgreSQL refuses to run as root
        if (root) {
            run(List.of("chown", "postgres", dir.toString()), null, log);
        }
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "postgres\n");
        if (root) {
            run(List.of("chown", "postgres", pw.toString()), null, log);
        }
        List<String> init = new ArrayList<>(as);
        init.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=md5",
                "--pwfile=" + pw, "-E", "UTF8", "--no-sync"));
        run(init, null, log);
        int port = BenchIo.freePort();
        List<String> cmd = new ArrayList<>(as);
        cmd.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port), "-k", dir.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "shared_buffers=512MB", "-c", "maintenance_work_mem=1GB",
                "-c", "max_connections=64"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("postgres.log").toFile()).start();
        String version = bin.getParent().getFileName().toString();
        PgvectorPeer peer = new PgvectorPeer("pgvector (PostgreSQL " + version + ")", port, p, dir);
        peer.awaitUp();
        return peer;
    }

    private static PgvectorPeer pglite(Path cache, Consumer<String> log) throws IOException, InterruptedException {
        Path prefix = cache.resolve("pglite");
        Files.createDirectories(prefix);
        Path server = prefix.resolve("node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
        if (!Files.exists(server)) {
            log.accept("pgvector: npm install " + PGLITE + " " + PGLITE_VECTOR + " " + PGLITE_SOCKET);
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(), PGLITE, PGLITE_VECTOR, PGLITE_SOCKET),
                    null, log);
        }
        Path dir = Files.createTempDirectory("vectorflow-bench-pglite");
        int port = BenchIo.freePort();
        Process p = new ProcessBuilder("node", server.toString(), "-d", dir.resolve("db").toString(), "-p", Integer.toString(port),
                "-h", "127.0.0.1", "-e", "@electric-sql/pglite-pgvector:vector", "-m", "16")
                .directory(prefix.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("pglite.log").toFile()).start();
        PgvectorPeer peer = new PgvectorPeer("pgvector (PGlite, WASM)", port, p, dir);
        peer.awaitUp();
        return peer;
    }

    private void awaitUp() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        SQLException last = null;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Connection c = DriverManager.getConnection(jdbc())) {
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        close();
        throw new IOException(label + " did not start: " + (last == null ? "exited" : last.getMessage()));
    }

    /**
     * Loads {@code d} into table {@code table} ({@code id integer, embedding vector(d)}) and builds
     * an HNSW index with {@code m} and {@code efConstruction}; returns the seconds the build took.
     */
    double load(Dataset d, String table, String opclass, int m, int efConstruction, Consumer<String> log) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc()); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS vector");
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, embedding vector(" + d.dimension() + "))");
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?::vector)")) {
                for (int i = 0; i < d.base().length; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, literal(d.base()[i]));
                    ins.addBatch();
                    if (i % 1000 == 999 || i == d.base().length - 1) {
                        ins.executeBatch();
                    }
                }
            }
            c.commit();
            c.setAutoCommit(true);
            log.accept("pgvector: building the HNSW index (m=" + m + ", ef_construction=" + efConstruction + ")");
            long t = System.nanoTime();
            s.execute("CREATE INDEX ON " + table + " USING hnsw (embedding " + opclass + ") WITH (m = " + m
                    + ", ef_construction = " + efConstruction + ")");
            s.execute("ANALYZE " + table);
            return (System.nanoTime() - t) / 1e9;
        }
    }

    /** pgvector's version as the server reports it. */
    String extensionVersion() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc()); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
            return rs.next() ? rs.getString(1) : "?";
        }
    }

    static String literal(float[] v) {
        StringBuilder b = new StringBuilder(v.length * 10).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(v[i]); // Float.toString: the shortest text that reads back as the same float
        }
        return b.append(']').toString();
    }

    private static void run(List<String> cmd, Path cwd, Consumer<String> log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out.substring(Math.max(0, out.length() - 2000)));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: PostgreSQL's smart shutdown, PGlite's exit
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        BenchIo.deleteTree(dir);
    }
}
