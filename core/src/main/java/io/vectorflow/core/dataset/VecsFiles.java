package io.vectorflow.core.dataset;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes the TEXMEX vector formats used by ANN benchmarks: each record is a
 * little-endian int32 dimension followed by that many values, float32 ({@code .fvecs}), uint8
 * ({@code .bvecs}) or int32 ({@code .ivecs}). Files have no header; all records share one dimension.
 */
public final class VecsFiles {

    private VecsFiles() {}

    /** Reads {@code .fvecs} or {@code .bvecs} (by extension) as floats; {@code limit} ≤ 0 reads all. */
    public static float[][] readVectors(Path file, int limit) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".fvecs")) {
            return (float[][]) read(file, 4, limit, Kind.FLOAT);
        }
        if (name.endsWith(".bvecs")) {
            return (float[][]) read(file, 1, limit, Kind.BYTE);
        }
        throw new IOException("unsupported vector file (expected .fvecs or .bvecs): " + file);
    }

    public static int[][] readIvecs(Path file, int limit) throws IOException {
        return (int[][]) read(file, 4, limit, Kind.INT);
    }

    private enum Kind { FLOAT, BYTE, INT }

    private static Object read(Path file, int elementBytes, int limit, Kind kind) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 4) {
                throw new IOException(file + " is empty or truncated");
            }
            ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, 0);
            int dim = head.getInt(0);
            long record = 4 + (long) dim * elementBytes;
            if (dim <= 0 || dim > 1 << 20 || size % record != 0) {
                throw new IOException(file + ": size " + size + " is not a whole number of records of dimension " + dim);
            }
            long total = size / record;
            int n = (int) Math.min(total, limit > 0 ? limit : Integer.MAX_VALUE);
            Object out = switch (kind) {
                case FLOAT, BYTE -> new float[n][];
                case INT -> new int[n][];
            };
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(record * 4096, record * Math.max(1, n)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long pos = 0;
            int i = 0;
            while (i < n) {
                buf.clear();
                int want = (int) Math.min(buf.capacity() / record, n - i) * (int) record;
                buf.limit(want);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        throw new IOException(file + " ended early");
                    }
                }
                pos += want;
                buf.flip();
                while (buf.hasRemaining()) {
                    int d = buf.getInt();
                    if (d != dim) {
                        throw new IOException(file + ": record " + i + " has dimension " + d + ", expected " + dim);
                    }
                    switch (kind) {
                        case FLOAT -> {
                            float[] v = new float[dim];
                            buf.asFloatBuffer().get(v);
                            buf.position(buf.position() + 4 * dim);
                            ((float[][]) out)[i] = v;
                        }
                        case BYTE -> {
                            float[] v = new float[dim];
                            for (int j = 0; j < dim; j++) {
                                v[j] = buf.get() & 0xff;
                            }
                            ((float[][]) out)[i] = v;
                        }
                        case INT -> {
                            int[] v = new int[dim];
                            buf.asIntBuffer().get(v);
                            buf.position(buf.position() + 4 * dim);
                            ((int[][]) out)[i] = v;
                        }
                    }
                    i++;
                }
            }
            return out;
        }
    }

    public static void writeFvecs(Path file, float[][] vectors) throws IOException {
        writeRecords(file, vectors.length, i -> {
            ByteBuffer b = ByteBuffer.allocate(4 + 4 * vectors[i].length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(vectors[i].length);
            b.asFloatBuffer().put(vectors[i]);
            return b.array();
        });
    }

    public static void writeIvecs(Path file, int[][] rows) throws IOException {
        writeRecords(file, rows.length, i -> {
            ByteBuffer b = ByteBuffer.allocate(4 + 4 * rows[i].length).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(rows[i].length);
            b.asIntBuffer().put(rows[i]);
            return b.array();
        });
    }

    private interface Record {
        byte[] bytes(int i);
    }

    /** Writes to a temporary file and renames it, so a crash never leaves a half-written cache entry. */
    private static void writeRecords(Path file, int n, Record record) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            for (int i = 0; i < n; i++) {
                out.write(record.bytes(i));
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
