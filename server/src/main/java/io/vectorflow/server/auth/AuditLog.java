package io.vectorflow.server.auth;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vectorflow.engine.Json;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The audit log: one JSON object per line for every call that changes something or administers
 * the server, in {@code <data>/audit/audit.log}, never holding payloads, vectors or keys.
 *
 * <h2>Format</h2>
 * <pre>{@code
 * {"time":"2026-12-02T21:50:00.123Z","key":"3fa9c01b77e2","tenant":"default","action":"PUT /collections/{name}/points",
 *  "collection":"docs","result":"200","request_id":"8c1f…"}
 * }</pre>
 * {@code result} is the HTTP status (REST) or the gRPC status code (gRPC). {@code key} is the
 * key's id (never the key), {@code collection} is absent for calls on no
 * collection. A line is written with one {@code write} call when the call ends, so a crash of
 * the process loses none already written (a power cut can lose the last ones: the log is not
 * forced to the disk per line). When the file would pass {@code maxBytes} it becomes
 * {@code audit.log.1} (older ones shift up to {@code audit.log.<keep>}, the oldest is deleted)
 * and a new one is started.
 */
public final class AuditLog implements Closeable {

    /** Default size at which the log is rotated. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** Default number of rotated files kept. */
    public static final int DEFAULT_KEEP = 8;
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private FileChannel out;
    private long size;

    private AuditLog(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Files.createDirectories(file.getParent());
        open();
    }

    /** The audit log of the data directory {@code dataDir}, appended to. */
    public static AuditLog in(Path dataDir, long maxBytes, int keep) {
        try {
            return new AuditLog(dataDir.resolve("audit").resolve("audit.log"), maxBytes, keep);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the audit log in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private void open() throws IOException {
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = out.size();
    }

    /** The current file. */
    public Path file() {
        return file;
    }

    /**
     * Appends one entry.
     *
     * @param collection null when the call was on no collection
     */
    public void record(String keyId, String tenant, String action, String collection, String result, String requestId) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.MAPPER.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("key", keyId);
            g.writeStringField("tenant", tenant);
            g.writeStringField("action", action);
            if (collection != null) {
                g.writeStringField("collection", collection);
            }
            g.writeStringField("result", result);
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        line.write('\n');
        byte[] bytes = line.toByteArray();
        synchronized (this) {
            try {
                if (size > 0 && size + bytes.length > maxBytes) {
                    rotate();
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                size += bytes.length;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "audit log {0} cannot be written: {1}", file, e.toString());
            }
        }
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing more will be written
        }
    }
}
