package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vectorflow.api.v1.ListCollectionsRequest;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.engine.Database;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both ports from PEM files, with the JDK's own TLS clients: certificates are made by the
 * JDK's {@code keytool} (self-signed, for 127.0.0.1), written out as PEM the way an operator
 * would hand them over; with a client CA, a client without a certificate is refused.
 */
class TlsTest {

    @TempDir
    Path dir;

    /** A self-signed RSA certificate for 127.0.0.1 in {@code <name>.p12} (password "secret"), and as {@code <name>.crt}/{@code .key} PEM. */
    private Path[] certificate(String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=" + name, "-ext", "san=ip:127.0.0.1,dns:localhost", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "secret".toCharArray());
        }
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes());
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(crt, "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(ks.getCertificate(name).getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(ks.getKey(name, "secret".toCharArray())
                .getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return new Path[] {crt, key, p12};
    }

    private static SSLContext trusting(Path crt, Path clientP12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(crt)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("server", c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientP12)) {
                ks.load(in, "secret".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "secret".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static int get(SSLContext tls, String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void servesRestAndGrpcOverTls() throws Exception {
        Path[] server = certificate("server");
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer s = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                     .withTls(new VectorFlowServer.Tls(server[0], server[1], null)))) {
            assertThat(get(trusting(server[0], null), "https://127.0.0.1:" + s.port() + "/collections")).isEqualTo(200);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/collections"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.grpcPort())
                    .sslContext(GrpcSslContexts.forClient().trustManager(server[0].toFile()).build()).build();
            try {
                var names = VectorFlowGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listCollections(ListCollectionsRequest.getDefaultInstance()).getNamesList();
                assertThat(names).isEmpty();
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void withAClientCaRefusesClientsWithoutACertificate() throws Exception {
        Path[] server = certificate("server");
        Path[] client = certificate("client"); // self-signed: it is its own CA
        try (Database db = Database.open(dir.resolve("data"));
             VectorFlowServer s = VectorFlowServer.start(db, VectorFlowServer.Settings.of("127.0.0.1", 0)
                     .withTls(new VectorFlowServer.Tls(server[0], server[1], client[0])))) {
            String url = "https://127.0.0.1:" + s.port() + "/collections";
            assertThat(get(trusting(server[0], client[2]), url)).isEqualTo(200);
            assertThatThrownBy(() -> get(trusting(server[0], null), url)).isInstanceOf(java.io.IOException.class);
            Path[] stranger = certificate("stranger");
            assertThatThrownBy(() -> get(trusting(server[0], stranger[2]), url)).isInstanceOf(java.io.IOException.class);
        }
    }
}
