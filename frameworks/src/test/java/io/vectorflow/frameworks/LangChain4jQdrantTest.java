package io.vectorflow.frameworks;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.qdrant.QdrantEmbeddingStore;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections;
import io.vectorflow.engine.Database;
import io.vectorflow.server.VectorFlowServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's {@code QdrantEmbeddingStore}, unchanged, over Qdrant's gRPC API of a real
 * VectorFlow server, with a real embedding model that runs offline (all-MiniLM-L6-v2, ONNX,
 * shipped in its jar): a few hundred sentences stored with metadata, searched with a minimum
 * score and a metadata filter, paraphrases finding their sentence, recall@10 against exact cosine
 * search over the same embeddings, and removal.
 */
class LangChain4jQdrantTest {

    /** Sentences and a paraphrase of each: the paraphrase must find its sentence first. */
    private static final String[][] PAIRS = {
        {"The cat slept on the warm windowsill all afternoon.", "A kitten napped by the sunny window for hours."},
        {"Interest rates were raised by the central bank to fight inflation.", "The central bank increased rates to curb rising prices."},
        {"She baked a chocolate cake for her daughter's birthday.", "A chocolate birthday cake was made by a mother for her girl."},
        {"The football team won the championship after a penalty shootout.", "After penalties, the soccer club took the title."},
        {"Heavy rain flooded the streets of the old town overnight.", "Overnight downpours left the historic centre under water."},
        {"The new phone has a longer battery life and a brighter screen.", "This smartphone's battery lasts longer and its display is brighter."},
        {"Astronomers discovered a planet orbiting a distant star.", "A faraway star was found to have an exoplanet circling it."},
        {"He forgot his umbrella and got soaked on the way to work.", "Without an umbrella, he was drenched while commuting."},
        {"The museum opened an exhibition of ancient Egyptian art.", "An exhibit of art from ancient Egypt has opened at the museum."},
        {"Volunteers planted a thousand trees along the river bank.", "A thousand trees were planted by volunteers beside the river."},
        {"The train to Vienna was delayed by two hours because of snow.", "Snow held up the Vienna train for a couple of hours."},
        {"Doctors recommend drinking water regularly during hot weather.", "Physicians advise staying hydrated when it is hot."},
        {"The startup raised fifty million dollars in its latest funding round.", "The young company secured $50 million from investors."},
        {"A strong earthquake shook the coastal city early this morning.", "This morning a powerful quake hit the seaside city."},
        {"The library extended its opening hours during exam season.", "During exams, the library stays open longer."},
        {"Our flight was cancelled, so we spent the night at the airport.", "We slept at the airport after the airline cancelled our flight."},
        {"The chef recommends the grilled salmon with lemon butter.", "The cook suggests salmon, grilled, served with lemony butter."},
        {"Scientists warn that glaciers are melting faster than expected.", "Researchers say ice sheets are disappearing more quickly than predicted."},
        {"The orchestra performed Beethoven's ninth symphony to a full hall.", "A packed concert hall heard the orchestra play Beethoven's Ninth."},
        {"My laptop crashed and I lost the report I was writing.", "The computer froze and wiped out the document I had been typing."},
    };
    private static final String[] SUBJECTS = {"the farmer", "a young engineer", "the old sailor", "my neighbour", "the teacher",
        "a tired nurse", "the pilot", "a street musician", "the mayor", "a curious child", "the librarian", "a baker"};
    private static final String[] ACTIONS = {"repaired a bicycle", "painted the fence", "read a mystery novel", "cooked vegetable soup",
        "walked the dog", "planted tomatoes", "fixed the roof", "wrote a letter", "studied maps", "sold fresh bread",
        "played the violin", "cleaned the garage", "built a bookshelf", "visited the market", "photographed birds"};
    private static final String[] TIMES = {"on Monday morning", "late at night", "before lunch", "during the storm", "at dawn",
        "after the meeting", "on a sunny Sunday", "in the winter"};

    @TempDir
    Path dir;

    private static List<TextSegment> corpus() {
        List<TextSegment> out = new ArrayList<>();
        for (int i = 0; i < PAIRS.length; i++) {
            out.add(TextSegment.from(PAIRS[i][0], Metadata.from("topic", "news").put("n", i)));
        }
        for (int i = 0; out.size() < 320; i++) {
            String s = SUBJECTS[i % SUBJECTS.length] + " " + ACTIONS[(i / SUBJECTS.length) % ACTIONS.length] + " "
                    + TIMES[(i * 7) % TIMES.length] + ".";
            String text = Character.toUpperCase(s.charAt(0)) + s.substring(1);
            out.add(TextSegment.from(text, Metadata.from("topic", "daily").put("n", out.size())));
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    @Test
    void qdrantEmbeddingStoreWorksUnchanged() throws Exception {
        EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        List<TextSegment> segments = corpus();
        List<Embedding> embeddings = model.embedAll(segments).content();
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0));
             QdrantClient admin = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", server.grpcPort(), false).build())) {
            admin.createCollectionAsync("lc4j", Collections.VectorParams.newBuilder().setSize(model.dimension())
                    .setDistance(Collections.Distance.Cosine).build()).get();
            QdrantEmbeddingStore store = QdrantEmbeddingStore.builder().host("127.0.0.1").port(server.grpcPort()).useTls(false)
                    .collectionName("lc4j").build();
            List<String> ids = store.addAll(embeddings, segments);
            assertThat(ids).hasSize(segments.size());
            assertThat(admin.countAsync("lc4j").get()).isEqualTo(segments.size());

            // Paraphrases find their sentence first; the segment's text and metadata come back.
            for (int i = 0; i < PAIRS.length; i++) {
                List<EmbeddingMatch<TextSegment>> m = store.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(model.embed(PAIRS[i][1]).content()).maxResults(3).build()).matches();
                assertThat(m.getFirst().embedded().text()).as(PAIRS[i][1]).isEqualTo(PAIRS[i][0]);
                assertThat(m.getFirst().embedded().metadata().getInteger("n")).isEqualTo(i);
                assertThat(m.getFirst().embeddingId()).isEqualTo(ids.get(i));
            }

            // A minimum score and a metadata filter.
            Embedding q = model.embed("Someone repaired a bicycle in the morning").content();
            List<EmbeddingMatch<TextSegment>> daily = store.search(EmbeddingSearchRequest.builder().queryEmbedding(q).maxResults(50)
                    .minScore(0.6).filter(metadataKey("topic").isEqualTo("daily")).build()).matches();
            assertThat(daily).isNotEmpty().allSatisfy(m -> {
                assertThat(m.embedded().metadata().getString("topic")).isEqualTo("daily");
                assertThat(m.score()).isGreaterThanOrEqualTo(0.6);
            });
            assertThat(daily.getFirst().embedded().text()).containsIgnoringCase("repaired a bicycle");

            // Recall@10 of the store's answers against exact cosine search over the same embeddings.
            int queries = 60;
            double found = 0;
            for (int t = 0; t < queries; t++) {
                float[] query = model.embed(SUBJECTS[t % SUBJECTS.length] + " " + ACTIONS[(t * 5) % ACTIONS.length]).content().vector();
                List<String> exact = IntStream.range(0, segments.size()).boxed()
                        .sorted(Comparator.comparingDouble((Integer i) -> -cosine(embeddings.get(i).vector(), query)))
                        .limit(10).map(ids::get).toList();
                Set<String> got = new HashSet<>();
                store.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(query)).maxResults(10).build())
                        .matches().forEach(m -> got.add(m.embeddingId()));
                found += exact.stream().filter(got::contains).count();
            }
            double recall = found / (queries * 10.0);
            System.out.printf(Locale.ROOT, "LangChain4j QdrantEmbeddingStore over %d all-MiniLM-L6-v2 embeddings: recall@10 %.3f"
                    + " against exact cosine (%d queries)%n", segments.size(), recall, queries);
            assertThat(recall).isGreaterThanOrEqualTo(0.95);

            // Removal by id, by filter, and of everything.
            store.remove(ids.get(0));
            store.removeAll(metadataKey("topic").isEqualTo("news"));
            assertThat(admin.countAsync("lc4j").get()).isEqualTo(segments.size() - PAIRS.length);
            store.removeAll();
            assertThat(admin.countAsync("lc4j").get()).isZero();
        }
    }
}
