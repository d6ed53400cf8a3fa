package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** A source that can be asked for one point again, for verifying a migration. */
public interface RemoteSource {

    /** Points in the source. */
    long size();

    /** The point {@code id} as {@code {"vector": [...], "payload": {...}}}, or null when there is none. */
    JsonNode point(Object id) throws IOException;
}
