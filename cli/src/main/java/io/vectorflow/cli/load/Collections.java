package io.vectorflow.cli.load;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The target side of imports and migrations: making sure the collection exists. */
public final class Collections {

    private Collections() {}

    /**
     * Creates collection {@code name} on the server at {@code url} with vectors of {@code dimension}
     * and {@code distance} (Qdrant's spelling) unless it exists.
     *
     * @throws IllegalStateException with the server's answer when it cannot
     */
    public static void ensure(URI url, String apiKey, String name, int dimension, String distance)
            throws IOException, InterruptedException {
        String path = "/collections/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest.Builder exists = HttpRequest.newBuilder(url.resolve(path + "/exists"));
            if (apiKey != null) {
                exists.header("api-key", apiKey);
            }
            HttpResponse<String> r = http.send(exists.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("cannot ask " + url + " about collection '" + name + "': " + r.statusCode() + " "
                        + r.body());
            }
            if (r.body().contains("\"exists\":true")) {
                return;
            }
            if (dimension < 1) {
                throw new IllegalArgumentException("collection '" + name + "' does not exist and the source gives no dimension"
                        + " to create it with");
            }
            HttpRequest.Builder put = HttpRequest.newBuilder(url.resolve(path)).header("content-type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"vectors\": {\"size\": " + dimension + ", \"distance\": \""
                            + distance + "\"}}"));
            if (apiKey != null) {
                put.header("api-key", apiKey);
            }
            HttpResponse<String> made = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
            if (made.statusCode() != 200) {
                throw new IllegalStateException("cannot create collection '" + name + "': " + made.statusCode() + " " + made.body());
            }
        }
    }
}
