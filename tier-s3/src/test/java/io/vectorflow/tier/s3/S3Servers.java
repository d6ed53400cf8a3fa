package io.vectorflow.tier.s3;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/** s3proxy over a jclouds file-system blob store, for tests: in this JVM, or as a process of its own. */
public final class S3Servers {

    public static final String ACCESS = "vectorflow-access";
    public static final String SECRET = "vectorflow-secret-0123456789";
    public static final String BUCKET = "segments";

    private S3Servers() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A running s3proxy in this JVM with bucket {@link #BUCKET}, and the settings to reach it. */
    public record InProcess(S3Proxy proxy, BlobStoreContext context, S3ObjectStore.Settings settings) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            proxy.stop();
            context.close();
        }
    }

    public static InProcess inProcess(Path dir, String prefix) throws Exception {
        return inProcess(dir, prefix, freePort());
    }

    /** {@link #inProcess(Path, String)} on a given port (to start it again where a client expects it). */
    public static InProcess inProcess(Path dir, String prefix, int port) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", Files.createDirectories(dir).toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").credentials(ACCESS, SECRET).overrides(props)
                .build(BlobStoreContext.class);
        BlobStore blobs = context.getBlobStore();
        blobs.createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new InProcess(proxy, context, settings(port, prefix, Duration.ofSeconds(10)));
    }

    public static S3ObjectStore.Settings settings(int port, String prefix, Duration timeout) {
        return new S3ObjectStore.Settings(URI.create("http://127.0.0.1:" + port), "us-east-1", BUCKET, prefix, ACCESS, SECRET, true,
                timeout);
    }

    /** s3proxy as a process of its own (this test's class path), serving {@code dir} on {@code port}. */
    public static Process process(Path dir, int port) throws Exception {
        Files.createDirectories(dir.resolve(BUCKET));
        Path props = dir.resolveSibling(dir.getFileName() + ".properties");
        Files.writeString(props, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port, "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS, "s3proxy.credential=" + SECRET, "jclouds.provider=filesystem",
                "jclouds.identity=" + ACCESS, "jclouds.credential=" + SECRET, "jclouds.filesystem.basedir=" + dir) + "\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), "org.gaul.s3proxy.Main",
                "--properties", props.toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("s3proxy did not start:\n" + Files.readString(dir.resolveSibling(dir.getFileName() + ".log")));
    }
}
