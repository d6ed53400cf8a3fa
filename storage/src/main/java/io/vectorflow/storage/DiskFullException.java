package io.vectorflow.storage;

/**
 * A write refused because the disk holding the data directory is full. Nothing of the write was
 * kept; reads and searches go on, and writes succeed again once space is freed (the log and the
 * background seals retry by themselves).
 */
public final class DiskFullException extends StorageException {

    private static final long serialVersionUID = 1L;

    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code t}, or one of its causes, is the operating system saying the disk is full. */
    public static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DiskFullException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** A {@link DiskFullException} naming {@code where}, for a failure {@link #isDiskFull} recognised. */
    public static DiskFullException of(java.nio.file.Path where, String what, Throwable cause) {
        return new DiskFullException("no space left on the disk holding " + where + ": " + what
                + "; nothing of this write was kept (reads and searches go on; writes resume once space is freed)", cause);
    }
}
