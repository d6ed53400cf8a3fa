package io.vectorflow.engine;

/**
 * How one search uses a collection's quantized codes (Qdrant's {@code params.quantization}).
 *
 * @param ignore       search the float vectors, as if the collection had no codes
 * @param rescore      rescore the candidates the walk on codes found with the float vectors
 * @param oversampling candidates per hit to rescore ({@code limit × oversampling} of them), 1 to
 *                     {@value #MAX_OVERSAMPLING}
 */
public record QuantizationParams(boolean ignore, boolean rescore, double oversampling) {

    /** Largest oversampling a search may ask for. */
    public static final double MAX_OVERSAMPLING = 100;

    /** Codes used, candidates rescored, no oversampling: Qdrant's defaults. */
    public static final QuantizationParams DEFAULT = new QuantizationParams(false, true, 1.0);

    public QuantizationParams {
        if (!(oversampling >= 1 && oversampling <= MAX_OVERSAMPLING)) {
            throw new IllegalArgumentException("params.quantization.oversampling must be between 1 and " + (int) MAX_OVERSAMPLING
                    + ", got " + oversampling);
        }
    }

    /** Candidates the walk on codes keeps for {@code k} hits. */
    public int candidates(int k) {
        return rescore ? (int) Math.min(Collection.MAX_LIMIT, Math.ceil(k * oversampling)) : k;
    }
}
