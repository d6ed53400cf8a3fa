package io.vectorflow.server;

import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.SearchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm-up at start, so the first minute after a start is as fast as the tenth: until the JIT has
 * compiled the distance kernels (Vector API code runs many times slower interpreted), the graph
 * walk and the request path, searches take milliseconds instead of microseconds. Before the
 * server reports ready, this builds small throw-away collections (in a temporary directory,
 * never the user's data) of a few common dimensions, searches them a few thousand times, and
 * sends searches through the server's own REST port on loopback (to a collection that does not
 * exist: parsing, routing, the budget and the answer's path run, and no data is read or
 * written). About 2 to 4 seconds of CPU at start; nothing stays allocated afterwards.
 */
final class Warmup {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** Dimensions warmed: the kernels' loops and tails for common embedding sizes. */
    private static final int[] DIMENSIONS = {128, 384, 768};
    private static final int POINTS = 2_000;
    private static final int SEARCHES = 4_000;
    private static final int REQUESTS = 3_000;

    private Warmup() {}

    /**
     * Runs the warm-up against the REST server on {@code port} (its request part only over plain
     * HTTP; with keys required those requests stop at the key check); failures are logged, never thrown.
     */
    static void run(String host, int port, boolean plainHttp) {
        long start = System.nanoTime();
        try {
            engine();
            if (plainHttp) {
                requests(host, port);
            }
            LOG.info("warm-up done in {} ms (kernels, graph search and the request path compiled)",
                    (System.nanoTime() - start) / 1_000_000);
        } catch (Exception | OutOfMemoryError e) {
            LOG.warn("warm-up stopped early ({}); the first searches may be slower", e.toString());
        }
    }

    private static void engine() throws IOException {
        Path dir = Files.createTempDirectory("vectorflow-warmup");
        try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(0))) {
            SplittableRandom random = new SplittableRandom(7);
            for (int dim : DIMENSIONS) {
                for (String metric : new String[] {"Euclid", "Cosine"}) {
                    Collection c = db.createCollection(CollectionConfig.of("w" + dim + metric, dim, metric));
                    List<Point> points = new ArrayList<>(POINTS);
                    for (int i = 0; i < POINTS; i++) {
                        points.add(Point.of(i, vector(random, dim)));
                    }
                    c.upsert(points);
                    c.flush(); // sealed and indexed: the searches below walk a graph
                    for (int i = 0; i < SEARCHES / DIMENSIONS.length / 2; i++) {
                        c.search(SearchRequest.of(vector(random, dim), 10).withEf(16 + (i & 63)));
                    }
                }
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Searches through the REST port on one keep-alive connection, answered 404 (no such collection). */
    private static void requests(String host, int port) throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < 128; i++) {
            v.append(i == 0 ? "" : ",").append((float) random.nextDouble());
        }
        byte[] search = ("{\"vector\":" + v + "],\"limit\":10,\"params\":{\"hnsw_ef\":16}}").getBytes(StandardCharsets.UTF_8);
        byte[] query = ("{\"query\":" + v + "],\"limit\":10,\"params\":{\"hnsw_ef\":16}}").getBytes(StandardCharsets.UTF_8);
        String[] paths = {"/collections/vectorflow-warmup-none/points/search", "/collections/vectorflow-warmup-none/points/query"};
        InetAddress address = InetAddress.getByName(host).isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                : InetAddress.getByName(host);
        try (Socket s = new Socket(address, port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[8192];
            for (int i = 0; i < REQUESTS; i++) {
                String path = paths[i & 1];
                byte[] body = (i & 1) == 0 ? search : query;
                out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                readAnswer(in, buffer);
            }
        }
    }

    /** Reads one HTTP answer with a Content-Length body. */
    private static void readAnswer(InputStream in, byte[] buffer) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        while (length > 0) {
            int n = in.read(buffer, 0, Math.min(buffer.length, length));
            if (n < 0) {
                throw new IOException("the server closed the warm-up connection");
            }
            length -= n;
        }
    }

    private static float[] vector(SplittableRandom random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}
