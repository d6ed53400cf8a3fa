package io.vectorflow.storage;

/**
 * A storage operation failed: an I/O error, a full disk, a corrupt file, or a collection that is
 * read-only because an earlier write failed. The message says which file or collection and what
 * to do; nothing the failed call was asked to write has been acknowledged.
 */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
