package io.vectorflow.storage;

/**
 * A write refused because indexing is too far behind (the collection's bound on points stored but
 * not yet in the graph). Nothing was written; retry after a short wait.
 */
public final class OverloadedException extends StorageException {

    private static final long serialVersionUID = 1L;

    public OverloadedException(String message) {
        super(message);
    }
}
