package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Json;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Points read one at a time from a file, never the whole file in memory: {@code .fvecs} and
 * {@code .bvecs} (ANN-benchmark layouts: a little-endian int32 dimension, then that many float32
 * or uint8 components, per vector), {@code .npy} (a 2-D little-endian float32, float64 or uint8
 * array in C order), JSON Lines ({@code {"id": …, "vector": […], "payload": {…}}} per line) and
 * Parquet ({@link ParquetSource}).
 * Files without ids number their rows from 0.
 */
public abstract class VectorSource implements Closeable {

    /** One point: its id (a number or a UUID string), vector and payload (null for none). */
    public record Row(Object id, float[] vector, JsonNode payload) {}

    /** Points in the file when the format says so up front, else -1. */
    public abstract long size();

    /** The next point, or null at the end. */
    public abstract Row next() throws IOException;

    /** Skips the next {@code n} points (for a resumed import). */
    public void skip(long n) throws IOException {
        for (long i = 0; i < n && next() != null; i++) {
            // read and dropped
        }
    }

    /** The file's dimension, when known before the first point (else 0). */
    public abstract int dimension();

    /** Opens {@code file} as {@code format} ({@code auto}: from its extension). */
    public static VectorSource open(Path file, String format) throws IOException {
        return open(file, format, null, null);
    }

    /**
     * Opens {@code file} as {@code format} ({@code auto}: from its extension); for Parquet, the
     * id and vector columns (null: found by name, see {@link ParquetSource}).
     */
    public static VectorSource open(Path file, String format, String idColumn, String vectorColumn) throws IOException {
        String f = format.equals("auto") ? extension(file) : format.toLowerCase(Locale.ROOT);
        return switch (f) {
            case "fvecs" -> new Vecs(file, false);
            case "bvecs" -> new Vecs(file, true);
            case "npy" -> new Npy(file);
            case "jsonl", "ndjson" -> new JsonLines(file);
            case "parquet", "pq" -> new ParquetSource(file, idColumn, vectorColumn);
            default -> throw new IllegalArgumentException("format must be fvecs, bvecs, npy, jsonl or parquet (or auto from the file's"
                    + " extension), got '" + f + "' for " + file);
        };
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Files of fixed-size rows after a header: skipping is a seek, each row one positional read. */
    private abstract static class FixedRows extends VectorSource {
        final FileChannel ch;
        private long start;
        private long count;
        private int dim;
        private ByteBuffer buf;
        private long row;

        FixedRows(Path file) throws IOException {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        }

        /** Sets where the rows start, how long each is, how many there are and their dimension. */
        final void layout(long start, int rowBytes, long count, int dim) {
            this.start = start;
            this.count = count;
            this.dim = dim;
            this.buf = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** The vector of the row in {@code buf} (read whole, little-endian). */
        abstract float[] decode(ByteBuffer buf, long row) throws IOException;

        @Override
        public final long size() {
            return count;
        }

        @Override
        public final int dimension() {
            return dim;
        }

        @Override
        public final void skip(long n) {
            row = Math.min(count, row + n);
        }

        @Override
        public final Row next() throws IOException {
            if (row >= count) {
                return null;
            }
            buf.clear();
            long pos = start + row * buf.capacity();
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new IOException("unexpected end of file at row " + row);
                }
            }
            return new Row(row, decode(buf, row++), null);
        }

        @Override
        public final void close() throws IOException {
            ch.close();
        }
    }

    /** fvecs / bvecs: each record a little-endian int32 dimension and that many float32 or uint8 components. */
    private static final class Vecs extends FixedRows {
        private final boolean bytes;
        private final int dim;

        Vecs(Path file, boolean bytes) throws IOException {
            super(file);
            this.bytes = bytes;
            ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(head, 0) < 4) {
                dim = 0;
                layout(0, 4, 0, 0);
                return;
            }
            dim = head.getInt(0);
            int recordBytes = 4 + dim * (bytes ? 1 : 4);
            long size = ch.size();
            if (dim < 1 || dim > 65_536 || size % recordBytes != 0) {
                ch.close();
                throw new IllegalArgumentException(file + " is not an " + (bytes ? "bvecs" : "fvecs") + " file (first dimension "
                        + dim + ", size " + size + "): cut short, or another format");
            }
            layout(0, recordBytes, ch.size() / recordBytes, dim);
        }

        @Override
        float[] decode(ByteBuffer buf, long row) throws IOException {
            if (buf.getInt(0) != dim) {
                throw new IOException("vector " + row + " has dimension " + buf.getInt(0) + ", the file's first has " + dim);
            }
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = bytes ? buf.get(4 + i) & 0xff : buf.getFloat(4 + 4 * i);
            }
            return v;
        }
    }

    /** .npy: a header, then rows of one dtype. */
    private static final class Npy extends FixedRows {
        private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?)([fu])(\\d)'");
        private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\s*\\)");
        private final int itemBytes;
        private final boolean floating;

        Npy(Path file) throws IOException {
            super(file);
            try {
                ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(pre, 0);
                if (pre.position() < 10 || (pre.get(0) & 0xff) != 0x93 || pre.get(1) != 'N' || pre.get(2) != 'U') {
                    throw new IllegalArgumentException(file + " is not a .npy file");
                }
                int major = pre.get(6);
                int headerLength = major == 1 ? pre.getShort(8) & 0xffff : pre.getInt(8);
                int prefix = major == 1 ? 10 : 12;
                ByteBuffer header = ByteBuffer.allocate(headerLength);
                ch.read(header, prefix);
                String h = new String(header.array(), StandardCharsets.ISO_8859_1);
                Matcher d = DESCR.matcher(h);
                Matcher s = SHAPE.matcher(h);
                if (!d.find() || !s.find() || h.contains("'fortran_order': True") || d.group(1).equals(">")) {
                    throw new IllegalArgumentException(file + ": expected a 2-D little-endian float32, float64 or uint8 array in"
                            + " C order, got header " + h.strip());
                }
                floating = d.group(2).equals("f");
                itemBytes = Integer.parseInt(d.group(3));
                if (floating ? itemBytes != 4 && itemBytes != 8 : itemBytes != 1) {
                    throw new IllegalArgumentException(file + ": dtype " + d.group(2) + itemBytes + " is not float32, float64 or uint8");
                }
                long count = Long.parseLong(s.group(1));
                int dim = Integer.parseInt(s.group(2));
                if (dim < 1 || prefix + headerLength + count * dim * itemBytes > ch.size()) {
                    throw new IllegalArgumentException(file + ": shape (" + count + ", " + dim + ") does not fit the file");
                }
                layout(prefix + headerLength, dim * itemBytes, count, dim);
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        }

        @Override
        float[] decode(ByteBuffer buf, long row) {
            float[] v = new float[dimension()];
            for (int i = 0; i < v.length; i++) {
                v[i] = !floating ? buf.get(i) & 0xff : itemBytes == 4 ? buf.getFloat(4 * i) : (float) buf.getDouble(8 * i);
            }
            return v;
        }
    }

    /** JSON Lines: one object per line; blank lines are skipped. */
    private static final class JsonLines extends VectorSource {
        private final BufferedReader in;
        private long line;

        JsonLines(Path file) throws IOException {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }

        @Override
        public long size() {
            return -1;
        }

        @Override
        public int dimension() {
            return 0;
        }

        @Override
        public Row next() throws IOException {
            String text;
            do {
                text = in.readLine();
                line++;
                if (text == null) {
                    return null;
                }
            } while (text.isBlank());
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(text);
            } catch (IOException e) {
                throw new IllegalArgumentException("line " + line + " is not JSON: " + e.getMessage());
            }
            JsonNode id = n.get("id");
            JsonNode vector = n.get("vector");
            if (id == null || !(id.isIntegralNumber() || id.isTextual()) || vector == null || !vector.isArray()) {
                throw new IllegalArgumentException("line " + line + ": expected {\"id\": number or UUID, \"vector\": [numbers],"
                        + " \"payload\": {…}}");
            }
            float[] v = new float[vector.size()];
            for (int i = 0; i < v.length; i++) {
                if (!vector.get(i).isNumber()) {
                    throw new IllegalArgumentException("line " + line + ": vector[" + i + "] is not a number");
                }
                v[i] = vector.get(i).floatValue();
            }
            JsonNode payload = n.get("payload");
            return new Row(id.isTextual() ? id.asText() : id.asLong(), v, payload == null || payload.isNull() ? null : payload);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
