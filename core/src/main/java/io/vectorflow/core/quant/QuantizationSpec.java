package io.vectorflow.core.quant;

import java.util.Locale;

/**
 * How a collection's vectors are quantized: the scheme and what calibrates it. Codes built under
 * one spec are reused as long as the collection asks for an {@link #sameCodes equal} one; keeping
 * them in RAM or mapping them changes nothing in the codes.
 *
 * @param scheme    int8 scalar codes or 1-bit binary codes
 * @param quantile  share of values the int8 range covers, in (0.5, 1]; the rest are clipped (binary ignores it)
 * @param alwaysRam codes copied into memory at open rather than read through the file mapping
 */
public record QuantizationSpec(Scheme scheme, float quantile, boolean alwaysRam) {

    /** Default share of values an int8 range covers, as Qdrant's default. */
    public static final float DEFAULT_QUANTILE = 0.99f;

    /** The kinds of codes. */
    public enum Scheme {
        /** One signed byte per dimension on a uniform grid ({@link ScalarCodes}). */
        INT8(1),
        /** One bit per dimension, centred on the segment's centroid ({@link BinaryCodes}). */
        BINARY(2);

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
    }

    /** Whether codes built under {@code other} serve this spec unchanged. */
    public boolean sameCodes(QuantizationSpec other) {
        return other != null && scheme == other.scheme && (scheme != Scheme.INT8 || quantile == other.quantile);
    }
}
