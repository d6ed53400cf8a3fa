package io.vectorflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.PgvectorSource;
import io.vectorflow.cli.load.PineconeSource;
import io.vectorflow.cli.load.QdrantSource;
import io.vectorflow.cli.load.RemoteSource;
import io.vectorflow.cli.load.VectorSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectorflow migrate}: copies a collection from another vector database into a VectorFlow
 * server, with progress, resuming after an interruption, and a verification at the end (counts on
 * both sides, and a sample of points compared vector by vector and payload by payload).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Copies a collection from another vector database into a VectorFlow server, with progress; a rerun after an"
                + " interruption resumes where it stopped; verifies counts and a sample of points at the end.",
                "Sources: qdrant (a Qdrant server's REST API, or another VectorFlow server); pgvector (a PostgreSQL table with a"
                        + " vector column, over JDBC: --source-url jdbc:postgresql://host:5432/db?user=me, --table, --vector-column);"
                        + " pinecone (an index's data-plane host: --source-url https://docs-abc123.svc.….pinecone.io,"
                        + " --source-api-key, --source-namespace)."})
public final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--source", required = true, description = "the kind of source: qdrant, pgvector or pinecone")
    String source;

    @Option(names = "--source-url", required = true, description = "qdrant: its REST API (http://qdrant:6333); pgvector: a JDBC URL;"
            + " pinecone: the index's host")
    String sourceUrl;

    @Option(names = "--source-collection", description = "qdrant: the collection to copy")
    String sourceCollection;

    @Option(names = "--source-api-key", description = "qdrant, pinecone: the source's API key (PINECONE_API_KEY for pinecone);"
            + " pgvector: the database password")
    String sourceApiKey;

    @Option(names = "--source-namespace", defaultValue = "", description = "pinecone: the namespace to copy (default: the default one)")
    String sourceNamespace;

    @Option(names = "--table", description = "pgvector: the table (schema.table allowed)")
    String table;

    @Option(names = "--id-column", defaultValue = "id", description = "pgvector: the id column, integer or uuid (default ${DEFAULT-VALUE})")
    String idColumn;

    @Option(names = "--vector-column", defaultValue = "embedding", description = "pgvector: the vector column (default ${DEFAULT-VALUE})")
    String vectorColumn;

    @Option(names = "--payload-column", description = "pgvector: a json or jsonb column holding each row's payload")
    String payloadColumn;

    @Option(names = "--payload-columns", split = ",", description = "pgvector: plain columns that become payload fields")
    List<String> payloadColumns = List.of();

    @Option(names = "--metric", defaultValue = "Cosine", description = "pgvector, pinecone: the target collection's distance"
            + " when it is created and the source does not say (Cosine, Euclid, Dot); qdrant sources keep theirs")
    String metric;

    @Option(names = "--target", defaultValue = "http://127.0.0.1:6333", description = "the VectorFlow server (default ${DEFAULT-VALUE})")
    URI target;

    @Option(names = "--collection", description = "the target collection (default: the source's name); created when missing")
    String collection;

    @Option(names = "--api-key", description = "the target's API key (VECTORFLOW_API_KEY)")
    String apiKey;

    @Option(names = "--parallel", defaultValue = "4", description = "requests in flight (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--batch", defaultValue = "500", description = "points per request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--checkpoint", description = "where progress is kept (default: under ~/.cache/vectorflow/imports)")
    Path checkpoint;

    @Option(names = "--restart", description = "ignore an earlier run's progress")
    boolean restart;

    @Option(names = "--verify-sample", defaultValue = "100", description = "points compared at the end (default ${DEFAULT-VALUE})")
    int sample;

    @Override
    public Integer call() throws Exception {
        switch (source) {
            case "qdrant" -> require(sourceCollection, "--source-collection");
            case "pgvector" -> require(table, "--table");
            case "pinecone" -> {
                require(collection, "--collection (the target collection)");
                sourceApiKey = sourceApiKey != null ? sourceApiKey : System.getenv("PINECONE_API_KEY");
            }
            default -> throw new IllegalArgumentException("--source must be qdrant, pgvector or pinecone, got '" + source + "'");
        }
        if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme())) {
            throw new IllegalArgumentException("--target: the server's REST API (http:// or https://), which the verification"
                    + " reads back; got " + target);
        }
        String name = collection != null ? collection : source.equals("qdrant") ? sourceCollection : table.replace('.', '_');
        String key = apiKey != null ? apiKey : System.getenv("VECTORFLOW_API_KEY");
        Path progress = checkpoint != null ? checkpoint : defaultCheckpoint(name);
        if (restart) {
            Files.deleteIfExists(progress);
        }
        try (VectorSource from = open();
             Importer importer = new Importer(new Importer.Settings(target, name, key, batch, parallel, progress))) {
            String distance = ((RemoteSource) from).distance();
            importer.ensure(from.dimension(), distance != null ? distance : metric);
            long resumed = importer.resumePoint();
            if (resumed > 0) {
                System.err.printf("vectorflow migrate: resuming after %,d points already copied%n", resumed);
            }
            Importer.Outcome out = importer.run(from, Importer.progressLine("vectorflow migrate", resumed), () -> false);
            System.err.printf("vectorflow migrate: %,d points copied in %.1f s%s%n", out.sent(), out.seconds(),
                    out.skipped() > 0 ? String.format(" (%,d copied before)", out.skipped()) : "");
        }
        return verify(name, key) ? 0 : 1;
    }

    private static void require(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required");
        }
    }

    private VectorSource open() throws Exception {
        return switch (source) {
            case "qdrant" -> new QdrantSource(URI.create(sourceUrl), sourceCollection, sourceApiKey);
            case "pinecone" -> new PineconeSource(URI.create(sourceUrl), sourceApiKey, sourceNamespace);
            default -> new PgvectorSource(sourceUrl, sourceApiKey, table, idColumn, vectorColumn, payloadColumn, payloadColumns);
        };
    }

    /** Counts on both sides, and {@link #sample} points spread over the source compared exactly with the target's. */
    private boolean verify(String name, String key) throws Exception {
        try (VectorSource from = open(); QdrantSource to = new QdrantSource(target, name, key)) {
            RemoteSource remote = (RemoteSource) from;
            if (from.size() != to.size()) {
                System.err.printf("vectorflow migrate: VERIFY FAILED: the source holds %,d points, the target %,d%n", from.size(), to.size());
                return false;
            }
            long stride = Math.max(1, from.size() / Math.max(1, sample));
            List<VectorSource.Row> rows = new ArrayList<>(); // every stride-th point, the ones between skipped by id only
            for (VectorSource.Row r; rows.size() < sample && (r = from.next()) != null; from.skip(stride - 1)) {
                rows.add(r);
            }
            for (VectorSource.Row row : rows) {
                Object id = row.id();
                JsonNode a = remote.point(row);
                JsonNode b = to.point(id);
                if (a == null || b == null || !sameVector(a.path("vector"), b.path("vector"))
                        || !asJson(a.path("payload")).equals(asJson(b.path("payload")))) {
                    System.err.printf("vectorflow migrate: VERIFY FAILED: point %s differs:%n  source %s%n  target %s%n", id, a, b);
                    return false;
                }
            }
            System.err.printf("vectorflow migrate: verified: %,d points on both sides; %d sampled points have equal vectors and"
                    + " payloads%n", from.size(), rows.size());
            return true;
        }
    }

    /** A payload as JSON text reads back (numbers as a JSON reader sees them, whatever the source's column types). */
    private static JsonNode asJson(JsonNode n) throws java.io.IOException {
        return io.vectorflow.engine.Json.MAPPER.readTree(io.vectorflow.engine.Json.MAPPER.writeValueAsString(n));
    }

    /** Whether two JSON arrays hold the same float32 values, component by component. */
    static boolean sameVector(JsonNode a, JsonNode b) {
        if (!a.isArray() || !b.isArray() || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (Float.floatToIntBits(a.get(i).floatValue()) != Float.floatToIntBits(b.get(i).floatValue())) {
                return false;
            }
        }
        return true;
    }

    private Path defaultCheckpoint(String name) {
        return Importer.defaultCheckpoint("migrate", source + "\n" + sourceUrl + "\n" + sourceCollection + "\n" + table + "\n"
                + sourceNamespace + "\n" + target + "\n" + name);
    }
}
