package io.vectorflow.core.search;

/**
 * Thrown by work running under an inline allowance ({@link Budget#allowInline}) as soon as it
 * finds it would cost more than the allowance, before it has changed anything: the caller, which
 * tried the work on a network I/O thread because it looked cheap, runs it again on a worker
 * thread. It carries no stack trace; it is control flow, never an error.
 */
public final class OffLoopException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The one instance (stateless). */
    public static final OffLoopException INSTANCE = new OffLoopException();

    private OffLoopException() {
        super("the work is too costly for a network thread; run it on a worker", null, false, false);
    }
}
