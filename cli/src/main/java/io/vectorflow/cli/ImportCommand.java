package io.vectorflow.cli;

import io.vectorflow.cli.load.Importer;
import io.vectorflow.cli.load.VectorSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vectorflow import}: loads a file of vectors into a collection of a running server, in
 * parallel batches, with a progress line and a checkpoint, so a rerun after an interruption
 * resumes where the last one stopped.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Loads fvecs, bvecs, .npy, Parquet or JSON Lines ({\"id\", \"vector\", \"payload\"} per line) into a collection of a"
                + " running server, with progress; a rerun after an interruption resumes where it stopped.",
                "Files without ids number their points from 0."})
public final class ImportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the file to load")
    Path file;

    @Option(names = "--collection", required = true, description = "the collection to load into")
    String collection;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:6333", description = "the server: its REST API (default ${DEFAULT-VALUE}), grpc://host:6334 for"
            + " the vectorflow.v1 gRPC API, or qdrant+grpc://host:6334 for Qdrant's gRPC API")
    URI url;

    @Option(names = "--api-key", description = "API key (VECTORFLOW_API_KEY)")
    String apiKey;

    @Option(names = "--format", defaultValue = "auto", description = "fvecs, bvecs, npy, jsonl, parquet, or auto from the extension")
    String format;

    @Option(names = "--id-column", description = "Parquet: the id column (default: 'id' when there is one, else row numbers)")
    String idColumn;

    @Option(names = "--vector-column", description = "Parquet: the vector column (default: the first of vector, embedding, values, emb)")
    String vectorColumn;

    @Option(names = "--create", description = "create the collection when it does not exist, with --metric and the file's dimension")
    boolean create;

    @Option(names = "--metric", defaultValue = "Cosine", description = "with --create: Cosine, Euclid, Dot or Manhattan")
    String metric;

    @Option(names = "--batch", defaultValue = "1000", description = "points per request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--parallel", defaultValue = "4", description = "requests in flight (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--checkpoint", description = "where progress is kept (default: under ~/.cache/vectorflow/imports, named"
            + " after the file, server and collection)")
    Path checkpoint;

    @Option(names = "--restart", description = "ignore an earlier run's progress (a finished one too) and send everything again")
    boolean restart;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("VECTORFLOW_API_KEY");
        Path progressFile = checkpoint != null ? checkpoint : defaultCheckpoint();
        if (restart) {
            Files.deleteIfExists(progressFile);
        }
        try (Importer importer = new Importer(new Importer.Settings(url, collection, key, batch, parallel, progressFile));
             VectorSource source = VectorSource.open(file, format, idColumn, vectorColumn)) {
            if (create) {
                int dimension = source.dimension();
                if (dimension == 0) { // JSON Lines: the first point's
                    try (VectorSource peek = VectorSource.open(file, format, idColumn, vectorColumn)) {
                        VectorSource.Row first = peek.next();
                        dimension = first == null ? 0 : first.vector().length;
                    }
                }
                importer.ensure(dimension, metric);
            }
            long resumed = importer.resumePoint();
            if (resumed > 0) {
                System.err.printf("vectorflow import: resuming after %,d points already imported (%s)%n", resumed, progressFile);
            }
            Importer.Outcome out = importer.run(source, Importer.progressLine("vectorflow import", resumed), () -> false);
            System.err.printf("vectorflow import: %,d points sent in %.1f s (%,.0f points/s)%s into '%s'%n", out.sent(), out.seconds(),
                    out.sent() / Math.max(1e-9, out.seconds()), out.skipped() > 0 ? String.format(", %,d skipped as already"
                            + " imported", out.skipped()) : "", collection);
        }
        return 0;
    }

    private Path defaultCheckpoint() throws Exception {
        Path abs = file.toAbsolutePath().normalize();
        return Importer.defaultCheckpoint("import", abs + "\n" + Files.size(abs) + "\n" + Files.getLastModifiedTime(abs).toMillis()
                + "\n" + url + "\n" + collection);
    }
}
