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
 * @param usdPerGbObjectStore bytes fetched from object storage (a cold segment's rescoring reads)
 * @param usdPerGbMonthRam   keeping a GB in RAM for a month (a collection's monthly storage cost)
 * @param usdPerGbMonthDisk  keeping a GB on local disk for a month
 * @param usdPerGbMonthObject keeping a GB in object storage for a month
 */
public record CostModel(double usdPerCoreSecond, double usdPerGbMemory, double usdPerGbDisk, double usdPerGbObjectStore,
                        double usdPerGbMonthRam, double usdPerGbMonthDisk, double usdPerGbMonthObject) {

    /** Default monthly prices: memory-optimised cloud RAM about $3.50 per GB-month, block storage $0.08. */
    public static final double DEFAULT_GB_MONTH_RAM = 3.5;
    public static final double DEFAULT_GB_MONTH_DISK = 0.08;
    /** Standard-class object storage, about $0.023 per GB-month. */
    public static final double DEFAULT_GB_MONTH_OBJECT = 0.023;

    public static final CostModel DEFAULT = new CostModel(0.0000125, 0.000001, 0.0001, 0.0004);

    /** Per-query prices, with the default monthly storage prices. */
    public CostModel(double usdPerCoreSecond, double usdPerGbMemory, double usdPerGbDisk, double usdPerGbObjectStore) {
        this(usdPerCoreSecond, usdPerGbMemory, usdPerGbDisk, usdPerGbObjectStore, DEFAULT_GB_MONTH_RAM, DEFAULT_GB_MONTH_DISK,
                DEFAULT_GB_MONTH_OBJECT);
    }

    public CostModel {
        for (double p : new double[] {usdPerCoreSecond, usdPerGbMemory, usdPerGbDisk, usdPerGbObjectStore, usdPerGbMonthRam,
                usdPerGbMonthDisk, usdPerGbMonthObject}) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("prices must be finite and not negative");
            }
        }
    }

    /** Dollars a month for keeping this many bytes in RAM and on disk. */
    public double monthly(long ramBytes, long diskBytes) {
        return ramBytes / 1e9 * usdPerGbMonthRam + diskBytes / 1e9 * usdPerGbMonthDisk;
    }

    /** Dollars a month for keeping this many bytes in object storage. */
    public double monthlyObject(long objectBytes) {
        return objectBytes / 1e9 * usdPerGbMonthObject;
    }

    /** Dollars for {@code cpuNanos} of CPU time and the bytes read from memory and from disk. */
    public double estimate(long cpuNanos, double memoryBytes, double diskBytes) {
        return estimate(cpuNanos, memoryBytes, diskBytes, 0);
    }

    /** {@link #estimate(long, double, double)} plus bytes fetched from object storage. */
    public double estimate(long cpuNanos, double memoryBytes, double diskBytes, double objectBytes) {
        return cpuNanos * 1e-9 * usdPerCoreSecond + memoryBytes / 1e9 * usdPerGbMemory + diskBytes / 1e9 * usdPerGbDisk
                + objectBytes / 1e9 * usdPerGbObjectStore;
    }
}
