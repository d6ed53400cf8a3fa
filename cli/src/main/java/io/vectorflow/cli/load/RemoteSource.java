package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** A source that can be asked for one point again, for verifying a migration. */
public interface RemoteSource {

    /** Points in the source. */
    long size();

    /** The source's distance in Qdrant's spelling (Cosine, Euclid, Dot, Manhattan), or null when it does not say. */
    String distance();

    /**
     * The source's point behind {@code row} (a row this source returned) as
     * {@code {"vector": [...], "payload": {...}}}, or null when it is gone.
     */
    JsonNode point(VectorSource.Row row) throws IOException;
}
