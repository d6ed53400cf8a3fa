package io.vectorflow.storage.object;

import java.io.IOException;

/** A read of an object the store does not hold. */
public final class ObjectNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String store, String key) {
        super("no object '" + key + "' in " + store);
    }
}
