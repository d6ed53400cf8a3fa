package io.vectorflow.engine;

/** Creating something under a name that is taken. */
public class AlreadyExistsException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    public AlreadyExistsException(String message) {
        super(message);
    }
}
