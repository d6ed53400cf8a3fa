package io.vectorflow.storage.object;

import java.util.regex.Pattern;

/**
 * The keys objects are stored under: 1 to 1,024 characters of {@code /}-separated parts, each of
 * letters, digits, {@code .}, {@code _}, {@code =} and {@code -}, none empty, {@code .} or
 * {@code ..}. Keys come from the storage engine (collection, segment and file names), not from
 * requests; the rule keeps them the same on a file system and in a bucket.
 */
public final class ObjectKey {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._=-]+");

    private ObjectKey() {
    }

    /** {@code key} when it is one, else an {@link IllegalArgumentException} saying why. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.length() > 1024) {
            throw new IllegalArgumentException("object key must be 1 to 1024 characters, got "
                    + (key == null ? "none" : key.length() + " characters"));
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || !PART.matcher(part).matches()) {
                throw new IllegalArgumentException("object key '" + key + "': part '" + part + "' must be letters, digits, '.',"
                        + " '_', '=' or '-', and not empty, '.' or '..'");
            }
        }
        return key;
    }

    /** {@code prefix} when it is empty or a key's beginning that ends with {@code /} or a part. */
    public static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }
}
