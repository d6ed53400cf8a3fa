package io.vectorflow.core.search;

/** Work stopped because its {@link Budget} was spent: the deadline passed or it was cancelled. */
public final class BudgetExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean timedOut;

    public BudgetExceededException(String message, boolean timedOut) {
        super(message, null, false, false);
        this.timedOut = timedOut;
    }

    /** True when the deadline passed; false when the work was cancelled (its client went away). */
    public boolean timedOut() {
        return timedOut;
    }
}
