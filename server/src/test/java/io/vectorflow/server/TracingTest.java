package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vectorflow.api.v1.CountRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.engine.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One search's trace, collected in-process (OpenTelemetry SDK, in-memory exporter): a server
 * span continuing the caller's W3C {@code traceparent}, with the engine's {@code search} under
 * it and {@code segment.search} and {@code merge} under that; a write's {@code wal.write}; and
 * the same propagation over gRPC metadata.
 */
class TracingTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @Test
    void searchSpanTreeContinuesTheCallersTrace(@TempDir Path dir) throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(0));
             VectorFlowServer server = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                     .withOpenTelemetry(otel));
             TestServer.Client s = new TestServer.Client(server)) {
            s.put("/collections/t", "{\"vectors\": {\"size\": 3, \"distance\": \"Dot\"}}");
            s.put("/collections/t/points?wait=true", "{\"points\": [{\"id\": 1, \"vector\": [1,0,0]}, {\"id\": 2, \"vector\": [0,1,0]}]}");
            spans.reset();

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url()
                            + "/collections/t/points/query")).header("content-type", "application/json")
                    .header("traceparent", "00-" + TRACE + "-" + PARENT + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"query\": [1, 0, 0], \"limit\": 1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            List<SpanData> finished = spans.getFinishedSpanItems();
            SpanData request = one(finished, "POST /collections/:name/points/query");
            assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(request.getTraceId()).isEqualTo(TRACE);
            assertThat(request.getParentSpanId()).isEqualTo(PARENT);
            SpanData search = one(finished, "search");
            assertThat(search.getParentSpanId()).isEqualTo(request.getSpanId());
            assertThat(search.getAttributes().asMap().toString()).contains("collection=t", "strategy=");
            SpanData segment = one(finished, "segment.search");
            assertThat(segment.getParentSpanId()).isEqualTo(search.getSpanId());
            assertThat(one(finished, "plan").getParentSpanId()).isEqualTo(segment.getSpanId());
            assertThat(one(finished, "merge").getParentSpanId()).isEqualTo(search.getSpanId());
            assertThat(finished).allMatch(x -> x.getTraceId().equals(TRACE));

            spans.reset();
            s.put("/collections/t/points?wait=true", "{\"points\": [{\"id\": 3, \"vector\": [0,0,1]}]}");
            SpanData upsert = one(spans.getFinishedSpanItems(), "upsert");
            assertThat(one(spans.getFinishedSpanItems(), "wal.write").getParentSpanId()).isEqualTo(upsert.getSpanId());

            spans.reset();
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + TRACE + "-" + PARENT + "-01");
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            try {
                VectorFlowGrpc.newBlockingStub(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)))
                        .count(CountRequest.newBuilder().setCollection("t").build());
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            Thread.sleep(200); // the span ends as the call closes, just after the answer is sent
            SpanData grpc = one(spans.getFinishedSpanItems(), "grpc vectorflow.v1.VectorFlow/Count");
            assertThat(grpc.getTraceId()).isEqualTo(TRACE);
            assertThat(grpc.getParentSpanId()).isEqualTo(PARENT);
        }
    }

    private static SpanData one(List<SpanData> spans, String name) {
        List<SpanData> named = spans.stream().filter(x -> x.getName().equals(name)).toList();
        assertThat(named).as(name + " among " + spans.stream().map(SpanData::getName).toList()).hasSize(1);
        return named.getFirst();
    }
}
