package io.vectorflow.frameworks.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.qdrant.QdrantVectorStore;

/**
 * Spring AI's {@code QdrantVectorStore}, unchanged, over Qdrant's gRPC API of a real VectorFlow
 * server running as its own process ({@code java -jar vectorflow.jar serve}, the distribution the
 * README starts): it creates its collection, adds documents with metadata, searches with
 * {@code topK}, a similarity threshold and a filter expression, and deletes. Embeddings come from
 * the offline all-MiniLM-L6-v2 model behind Spring AI's {@link EmbeddingModel} interface. Spring
 * AI brings its own (older) Qdrant Java client, which this module uses.
 */
class SpringAiQdrantTest {

    @TempDir
    Path dir;

    /** Spring AI's embedding interface over the ONNX model LangChain4j ships in a jar. */
    private static final class MiniLm implements EmbeddingModel {
        private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

        @Override
        public EmbeddingResponse call(EmbeddingRequest request) {
            List<Embedding> out = new ArrayList<>();
            for (int i = 0; i < request.getInstructions().size(); i++) {
                out.add(new Embedding(model.embed(request.getInstructions().get(i)).content().vector(), i));
            }
            return new EmbeddingResponse(out);
        }

        @Override
        public float[] embed(Document document) {
            return model.embed(document.getText()).content().vector();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code java -jar vectorflow.jar serve} and waits until it is ready. */
    private static Process serve(Path data, int port, int grpcPort) throws Exception {
        String jar = System.getProperty("vectorflow.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx1g", "-jar", jar, "serve", "--data-dir=" + data, "--port=" + port,
                "--grpc-port=" + grpcPort).redirectErrorStream(true).redirectOutput(data.resolveSibling("server.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("the server did not start: " + Files.readString(data.resolveSibling("server.log")));
    }

    @Test
    void qdrantVectorStoreWorksUnchanged() throws Exception {
        int port = freePort();
        int grpcPort = freePort();
        Process server = serve(dir.resolve("data"), port, grpcPort);
        try (QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", grpcPort, false).build())) {
            QdrantVectorStore store = QdrantVectorStore.builder(client, new MiniLm()).collectionName("spring").initializeSchema(true)
                    .build();
            store.afterPropertiesSet(); // creates the collection, as the Spring context would
            assertThat(client.collectionExistsAsync("spring").get()).isTrue();
            List<Document> docs = List.of(
                    new Document("The cat slept on the warm windowsill all afternoon.", Map.of("topic", "pets", "year", 2023)),
                    new Document("Dogs love to chase balls in the park.", Map.of("topic", "pets", "year", 2024)),
                    new Document("The central bank raised interest rates to fight inflation.", Map.of("topic", "finance", "year", 2024)),
                    new Document("Stock markets fell sharply after the announcement.", Map.of("topic", "finance", "year", 2023)),
                    new Document("Heavy rain flooded the streets of the old town.", Map.of("topic", "weather", "year", 2024)));
            store.add(docs);
            assertThat(client.countAsync("spring").get()).isEqualTo(docs.size());

            List<Document> kitten = store.similaritySearch(SearchRequest.builder().query("A kitten napping by the window").topK(2)
                    .build());
            assertThat(kitten).hasSize(2);
            assertThat(kitten.getFirst().getText()).contains("cat slept");
            assertThat(kitten.getFirst().getMetadata()).containsEntry("topic", "pets");
            assertThat(kitten.getFirst().getScore()).isBetween(0.0, 1.0);

            List<Document> finance = store.similaritySearch(SearchRequest.builder().query("interest rates and inflation").topK(5)
                    .similarityThreshold(0.0).filterExpression("topic == 'finance' && year >= 2024").build());
            assertThat(finance).extracting(Document::getText).containsExactly(docs.get(2).getText());

            List<Document> strict = store.similaritySearch(SearchRequest.builder().query("interest rates and inflation").topK(5)
                    .similarityThreshold(0.99).build());
            assertThat(strict).isEmpty();

            store.delete(List.of(docs.get(0).getId(), docs.get(1).getId()));
            assertThat(client.countAsync("spring").get()).isEqualTo(docs.size() - 2);
            store.delete("topic == 'weather'");
            assertThat(client.countAsync("spring").get()).isEqualTo(docs.size() - 3);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }
}
