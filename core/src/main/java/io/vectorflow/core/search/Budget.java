package io.vectorflow.core.search;

/**
 * How long a piece of work may run, and whether whoever asked for it still wants it: a deadline
 * and a cancel flag. The search loops ({@link io.vectorflow.core.hnsw.HnswIndex}, {@link ExactSearch})
 * and the engine's scans look at the budget of the current thread now and then and stop with a
 * {@link BudgetExceededException} once it is spent, so a request whose client timed out or went
 * away stops within a few milliseconds instead of running to the end.
 *
 * <pre>{@code
 * Budget b = Budget.withTimeoutNanos(TimeUnit.SECONDS.toNanos(2));
 * try (Budget.Scope scope = b.enter()) {
 *     index.search(query, 10);                 // throws BudgetExceededException after 2 s
 * }
 * otherThread: b.cancel("client disconnected");
 * }</pre>
 *
 * <p>Checking costs a volatile read and, for budgets with a deadline, a {@link System#nanoTime()}
 * call; loops check every few dozen steps, never per distance.
 */
public final class Budget {

    /** No deadline and never cancelled: what a thread runs under unless it entered a budget. */
    public static final Budget UNLIMITED = new Budget(Long.MAX_VALUE, false);

    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    private final long deadlineNanos;
    private final boolean hasDeadline;
    private volatile String cancelled;
    /** Work units left before inline work must move to a worker; negative when not inline. Used by one thread at a time. */
    private long inlineUnits = -1;

    private Budget(long deadlineNanos, boolean hasDeadline) {
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = hasDeadline;
    }

    /** A budget that ends {@code nanos} from now (a non-positive value: already spent). */
    public static Budget withTimeoutNanos(long nanos) {
        return new Budget(System.nanoTime() + nanos, true);
    }

    /** A budget with no deadline that can still be cancelled. */
    public static Budget cancellable() {
        return new Budget(Long.MAX_VALUE, false);
    }

    /** The budget of the current thread ({@link #UNLIMITED} outside any {@link #enter}). */
    public static Budget current() {
        Budget b = CURRENT.get();
        return b == null ? UNLIMITED : b;
    }

    /** Makes this the current thread's budget until the scope closes (scopes nest). */
    public Scope enter() {
        Budget previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Stops the work at its next check; {@code why} ends up in the exception's message. */
    public void cancel(String why) {
        if (this != UNLIMITED && cancelled == null) {
            cancelled = why == null ? "cancelled" : why;
        }
    }

    /** Whether the deadline passed or the work was cancelled. */
    public boolean spent() {
        return cancelled != null || (hasDeadline && System.nanoTime() - deadlineNanos > 0);
    }

    /** Whether this budget has a deadline (rather than only a cancel flag). */
    public boolean hasDeadline() {
        return hasDeadline;
    }

    /** Nanoseconds left before the deadline ({@link Long#MAX_VALUE} without one, negative once past). */
    public long remainingNanos() {
        return hasDeadline ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
    }

    /**
     * Throws when the budget is spent.
     *
     * @throws BudgetExceededException saying whether time ran out or the work was cancelled
     */
    public void check() {
        String why = cancelled;
        if (why != null) {
            throw new BudgetExceededException(why, false);
        }
        if (hasDeadline && System.nanoTime() - deadlineNanos > 0) {
            throw new BudgetExceededException("the request's time limit passed", true);
        }
    }

    /**
     * Lets the work under this budget run on the thread that calls it, a network I/O thread,
     * for as long as it stays within {@code units} (distance evaluations times dimensions,
     * summed over every step that {@link #spendInline} is told of); beyond that, or at any step
     * that calls {@link #requireWorker}, it stops with {@link OffLoopException} before doing
     * the costly part, and the caller runs it again on a worker after {@link #endInline}.
     */
    public void allowInline(long units) {
        if (this == UNLIMITED) {
            throw new IllegalStateException("the shared unlimited budget cannot run inline");
        }
        inlineUnits = Math.max(0, units);
    }

    /** Ends the inline allowance: from now on the work runs wherever it is, whatever it costs. */
    public void endInline() {
        inlineUnits = -1;
    }

    /** Whether the work runs under an inline allowance now. */
    public boolean inline() {
        return inlineUnits >= 0;
    }

    /**
     * Tells an inline run that its next step costs about {@code units}; a step that would
     * exceed the allowance throws before it starts.
     *
     * @throws OffLoopException when the step does not fit what is left of the allowance
     */
    public void spendInline(long units) {
        if (inlineUnits >= 0) {
            if (units < 0 || units > inlineUnits) {
                throw OffLoopException.INSTANCE;
            }
            inlineUnits -= units;
        }
    }

    /**
     * Marks a step whose cost is not bounded cheaply (scans, sparse postings, reads that may
     * wait for the disk): an inline run stops here and moves to a worker.
     *
     * @throws OffLoopException when running inline
     */
    public void requireWorker() {
        if (inlineUnits >= 0) {
            throw OffLoopException.INSTANCE;
        }
    }

    /** Restores the previous budget when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
