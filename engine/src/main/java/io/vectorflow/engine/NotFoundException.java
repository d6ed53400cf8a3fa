package io.vectorflow.engine;

/** A collection (or other named thing) that does not exist. */
public class NotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    public NotFoundException(String message) {
        super(message);
    }
}
