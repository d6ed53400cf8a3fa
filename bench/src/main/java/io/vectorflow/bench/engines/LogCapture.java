package io.vectorflow.bench.engines;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Captures the line each JVM engine logs (through {@code java.util.logging}) when it picks its
 * SIMD implementation, so a report can show that every engine ran with the Vector API and a run
 * where one fell back to scalar code is marked invalid.
 */
public final class LogCapture {

    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    /** Lines that say the Vector API is in use (and not that it is unavailable). */
    private static final Pattern VECTORIZED =
            Pattern.compile("(?i)(vector (incubator )?api enabled|^panama|vector api\\)|kernels: panama)");
    private static final Pattern NOT_VECTORIZED = Pattern.compile("(?i)(not enabled|not readable|can't be enabled|falling back)");

    private LogCapture() {}

    /** Starts capturing; call before any engine loads its vector code. Idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Logger root = Logger.getLogger("");
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String msg = record.getMessage();
                if (msg != null && msg.toLowerCase().contains("vector")) {
                    RECORDS.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        if (root.getLevel() == null || root.getLevel().intValue() > Level.INFO.intValue()) {
            root.setLevel(Level.INFO);
        }
        installed = true;
    }

    /**
     * Runs {@code trigger} (something that makes the engine load its vector code) and returns the
     * first captured vector-related line from a logger whose name starts with {@code loggerPrefix},
     * or a line saying none was logged.
     */
    public static String vectorizationLine(String loggerPrefix, Runnable trigger) {
        install();
        trigger.run();
        for (LogRecord r : RECORDS) {
            if (r.getLoggerName() != null && r.getLoggerName().startsWith(loggerPrefix)) {
                return r.getMessage().strip();
            }
        }
        return "no vectorization log line from " + loggerPrefix + " (was it loaded before capture started?)";
    }

    /** Whether a kernels line says the engine uses the Vector API. */
    public static boolean isVectorized(String kernelsLine) {
        return kernelsLine != null && VECTORIZED.matcher(kernelsLine).find()
                && !NOT_VECTORIZED.matcher(kernelsLine).find();
    }
}
