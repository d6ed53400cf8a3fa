package io.vectorflow.core.store;

/** A file's header, size or checksum does not match its format. */
public final class CorruptFileException extends RuntimeException {

    public CorruptFileException(String message) {
        super(message);
    }
}
