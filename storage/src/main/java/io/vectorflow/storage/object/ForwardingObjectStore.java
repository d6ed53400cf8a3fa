package io.vectorflow.storage.object;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An object store that passes every call to another: the base of decorators that change one
 * call (inject latency or failures, count requests).
 */
public class ForwardingObjectStore implements ObjectStore {

    private final ObjectStore inner;

    public ForwardingObjectStore(ObjectStore inner) {
        this.inner = inner;
    }

    @Override
    public void put(String key, Path file) throws IOException {
        inner.put(key, file);
    }

    @Override
    public void put(String key, byte[] bytes) throws IOException {
        inner.put(key, bytes);
    }

    @Override
    public ByteBuffer read(String key, long offset, int length) throws IOException {
        return inner.read(key, offset, length);
    }

    @Override
    public void download(String key, Path target) throws IOException {
        inner.download(key, target);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return inner.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return inner.list(prefix);
    }

    @Override
    public boolean delete(String key) throws IOException {
        return inner.delete(key);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
