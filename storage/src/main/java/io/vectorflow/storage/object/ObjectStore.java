package io.vectorflow.storage.object;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where sealed segment files go when they leave the local disk: a flat namespace of immutable
 * objects addressed by {@link ObjectKey keys}. Objects are written whole (a reader sees the
 * previous object or the new one, never a part) and read by byte ranges, so a search fetches
 * only the pages it needs. Implementations are thread-safe, bound every call in time, and
 * report an unreachable store as an {@link IOException} that names it, never by hanging.
 */
public interface ObjectStore extends AutoCloseable {

    /** What the store holds under a key. */
    record ObjectInfo(String key, long size) {}

    /** Writes {@code file} whole as {@code key}, replacing what was there. */
    void put(String key, Path file) throws IOException;

    /** Writes {@code bytes} whole as {@code key}, replacing what was there. */
    void put(String key, byte[] bytes) throws IOException;

    /**
     * Reads {@code length} bytes of {@code key} from {@code offset}: fewer only where the object
     * ends first.
     *
     * @throws ObjectNotFoundException when there is no such object
     */
    ByteBuffer read(String key, long offset, int length) throws IOException;

    /**
     * Copies the whole object into {@code target} (written beside it, then moved into place).
     *
     * @throws ObjectNotFoundException when there is no such object
     */
    void download(String key, Path target) throws IOException;

    /** The object's size, or empty when there is none. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /** The objects whose keys start with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix) throws IOException;

    /** Deletes the object; whether there was one. */
    boolean delete(String key) throws IOException;

    /** Where the store is, for messages: a directory or a bucket's URL. */
    String describe();

    @Override
    void close();
}
