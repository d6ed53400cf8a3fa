package io.vectorflow.core.quant;

import java.util.Locale;

/**
 * How a collection's vectors are quantized: the scheme and what calibrates it. Codes built under
 * one spec are reused as long as the collection asks for an {@link #sameCodes equal} one; keeping
 * them in RAM or mapping them changes nothing in the codes.
 *
 * @param scheme      int8 scalar codes, 1-bit binary codes or product codes
 * @param quantile    share of values the int8 range covers, in (0.5, 1]; the rest are clipped (the others ignore it)
 * @param alwaysRam   codes copied into memory at open rather than read through the file mapping
 * @param compression product codes: how many times smaller than the floats, 4, 8, 16, 32 or 64 (0 for the others)
 */
public record QuantizationSpec(Scheme scheme, float quantile, boolean alwaysRam, int compression) {

    /** Default compression of product codes. */
    public static final int DEFAULT_COMPRESSION = 16;

    /** Default share of values an int8 range covers, as Qdrant's default. */
    public static final float DEFAULT_QUANTILE = 0.99f;

    /** The kinds of codes. */
    public enum Scheme {
        /** One signed byte per dimension on a uniform grid ({@link ScalarCodes}). */
        INT8(1),
        /** One bit per dimension, centred on the segment's centroid ({@link BinaryCodes}). */
        BINARY(2),
        /** One byte per group of dimensions: the nearest of 256 trained centroids ({@link ProductCodes}). */
        PRODUCT(3);

        /** The scheme's number in code files. */
        final int id;

        Scheme(int id) {
            this.id = id;
        }

        static Scheme ofId(int id) {
            for (Scheme s : values()) {
                if (s.id == id) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown quantization scheme " + id);
        }

        /** The scheme's lower-case name. */
        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public QuantizationSpec {
        if (scheme == null) {
            throw new IllegalArgumentException("quantization scheme is required");
        }
        if (!(quantile > 0.5f && quantile <= 1f)) {
            throw new IllegalArgumentException("quantile must be in (0.5, 1], got " + quantile);
        }
        if (scheme != Scheme.PRODUCT) {
            compression = 0;
        } else if (compression != 4 && compression != 8 && compression != 16 && compression != 32 && compression != 64) {
            throw new IllegalArgumentException("compression must be x4, x8, x16, x32 or x64, got x" + compression);
        }
    }

    /** A spec with the default compression for product codes. */
    public QuantizationSpec(Scheme scheme, float quantile, boolean alwaysRam) {
        this(scheme, quantile, alwaysRam, scheme == Scheme.PRODUCT ? DEFAULT_COMPRESSION : 0);
    }

    /** Whether codes built under {@code other} serve this spec unchanged. */
    public boolean sameCodes(QuantizationSpec other) {
        return other != null && scheme == other.scheme && (scheme != Scheme.INT8 || quantile == other.quantile)
                && compression == other.compression;
    }
}
