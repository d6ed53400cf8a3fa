package io.vectorflow.engine.perf;

/**
 * Prices behind a response's {@code cost_estimate}: what one query cost in US dollars, as CPU
 * time plus bytes read from each storage tier. The defaults are illustrative list prices (a
 * cloud vCPU at about $0.045 per hour; reads from RAM nearly free, from local SSD dearer, from
 * object storage dearest); set them to your own to compare plans in your own money.
 *
 * @param usdPerCoreSecond   CPU time on the thread that ran the query
 * @param usdPerGbMemory     bytes read that were resident in memory
 * @param usdPerGbDisk       bytes read from the local disk (pages that were not resident)
 * @param usdPerGbObjectStore bytes read from object storage (no tier reads there yet)
 */
public record CostModel(double usdPerCoreSecond, double usdPerGbMemory, double usdPerGbDisk, double usdPerGbObjectStore) {

    public static final CostModel DEFAULT = new CostModel(0.0000125, 0.000001, 0.0001, 0.0004);

    public CostModel {
        for (double p : new double[] {usdPerCoreSecond, usdPerGbMemory, usdPerGbDisk, usdPerGbObjectStore}) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("prices must be finite and not negative");
            }
        }
    }

    /** Dollars for {@code cpuNanos} of CPU time and the bytes read from memory and from disk. */
    public double estimate(long cpuNanos, double memoryBytes, double diskBytes) {
        return cpuNanos * 1e-9 * usdPerCoreSecond + memoryBytes / 1e9 * usdPerGbMemory + diskBytes / 1e9 * usdPerGbDisk;
    }
}
