package io.vectorflow.storage;

/**
 * A background pass that runs at most once at a time (a collection's sealing, its compaction):
 * {@link #begin} claims it, {@link #end} releases it, {@link #awaitIdle} waits for it.
 */
final class Pass {

    private boolean active;

    /** Claims the pass; false when one is already scheduled or running. */
    synchronized boolean begin() {
        if (active) {
            return false;
        }
        active = true;
        return true;
    }

    synchronized void end() {
        active = false;
        notifyAll();
    }

    /** Waits until no pass is scheduled or running (returns early, interrupt status set, if interrupted). */
    synchronized void awaitIdle() {
        while (active) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
