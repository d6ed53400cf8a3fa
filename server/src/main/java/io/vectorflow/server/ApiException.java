package io.vectorflow.server;

/** A request the API refuses, with the HTTP status to answer and a message naming the field. */
public final class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** 400: the request is understood but a value is wrong. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** 422: a field has the wrong JSON type. */
    public static ApiException unprocessable(String message) {
        return new ApiException(422, message);
    }

    public int status() {
        return status;
    }
}
