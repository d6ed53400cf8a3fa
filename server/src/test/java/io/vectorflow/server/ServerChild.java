package io.vectorflow.server;

import io.vectorflow.engine.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A real server in a child process, for the tests that kill it, starve it or measure it: over a
 * data directory, on free loopback ports, which it prints as {@code PORT <rest> GRPC <grpc>}
 * once it listens; it stops as {@code vectorflow serve} does on SIGTERM (requests in flight
 * finish, the database closes), and dies at once on SIGKILL.
 *
 * <p>Arguments: data directory. Lines on standard input: {@code heap} answers
 * {@code HEAP <bytes used after full collections>}; {@code threads} answers
 * {@code THREADS <live threads>}; {@code stop} shuts down gracefully and exits.
 */
public final class ServerChild {

    private ServerChild() {}

    public static void main(String[] args) throws Exception {
        long opening = System.nanoTime();
        Database db = Database.open(Path.of(args[0]));
        long opened = System.nanoTime();
        VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            db.close();
            System.out.println("STOPPED");
            System.out.flush();
        }));
        System.out.println("OPENED " + (opened - opening) / 1_000_000 + " ms, " + db.listCollections().size() + " collections");
        System.out.println("PORT " + server.port() + " GRPC " + server.grpcPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "heap" -> System.out.println("HEAP " + heapAfterGc());
                case "threads" -> System.out.println("THREADS " + Thread.activeCount() + " " + server.requestThreads());
                case "stop" -> System.exit(0); // the shutdown hook closes server and database
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
        server.awaitStop();
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
