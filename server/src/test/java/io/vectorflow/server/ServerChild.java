package io.vectorflow.server;

import io.vectorflow.engine.Database;
import java.nio.file.Path;

/**
 * The child process of {@link ServerKillTest}: a real server over a data directory, on a free
 * loopback port that it prints as {@code PORT <n>} once it is listening; it runs until killed.
 *
 * <p>Arguments: data directory.
 */
public final class ServerChild {

    private ServerChild() {}

    public static void main(String[] args) throws Exception {
        Database db = Database.open(Path.of(args[0]));
        VectorFlowServer server = VectorFlowServer.start(db, "127.0.0.1", 0);
        System.out.println("PORT " + server.port());
        System.out.flush();
        server.awaitStop();
    }
}
