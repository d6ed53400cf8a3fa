package io.vectorflow.engine;

/** A collection (or other named thing) that does not exist. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
