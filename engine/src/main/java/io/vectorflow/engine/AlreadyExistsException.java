package io.vectorflow.engine;

/** Creating something under a name that is taken. */
public class AlreadyExistsException extends RuntimeException {
    public AlreadyExistsException(String message) {
        super(message);
    }
}
