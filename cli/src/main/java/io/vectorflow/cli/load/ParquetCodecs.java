package io.vectorflow.cli.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page decompression for {@link ParquetSource} with the codec libraries themselves (snappy-java,
 * zstd-jni, aircompressor, the JDK's zlib), so reading a Parquet file needs no Hadoop
 * configuration or native Hadoop codecs. Read-only: the importer never writes Parquet.
 */
final class ParquetCodecs implements CompressionCodecFactory {

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput compressed, int size) throws IOException {
                if (codec == CompressionCodecName.UNCOMPRESSED) {
                    return compressed;
                }
                byte[] in = compressed.toByteArray();
                byte[] out = new byte[size];
                int n = switch (codec) {
                    case SNAPPY -> org.xerial.snappy.Snappy.uncompress(in, 0, in.length, out, 0);
                    case ZSTD -> (int) com.github.luben.zstd.Zstd.decompress(out, in);
                    case LZ4_RAW -> new io.airlift.compress.lz4.Lz4Decompressor().decompress(in, 0, in.length, out, 0, size);
                    case GZIP -> {
                        try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(in))) {
                            yield z.readNBytes(out, 0, size);
                        }
                    }
                    default -> throw new IOException("pages compressed with " + codec + " are not supported (UNCOMPRESSED, SNAPPY,"
                            + " GZIP, ZSTD and LZ4_RAW are): rewrite the file with one of those");
                };
                if (n != size) {
                    throw new IOException("a " + codec + " page decompressed to " + n + " bytes, its header says " + size);
                }
                return BytesInput.from(out);
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int size) throws IOException {
                byte[] in = new byte[compressedSize];
                input.get(in);
                output.put(decompress(BytesInput.from(in), size).toByteBuffer());
            }

            @Override
            public void release() {
                // nothing pooled
            }
        };
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("the importer only reads Parquet");
    }

    @Override
    public void release() {
        // nothing pooled
    }
}
