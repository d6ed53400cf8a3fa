package io.vectorflow.storage;

import java.util.regex.Pattern;

/**
 * The one check every user-supplied name (tenant, collection, snapshot, file) passes before it
 * touches the file system: ASCII letters, digits, {@code _}, {@code -} and {@code .}, starting
 * with a letter or digit; 1 to {@value #MAX_COLLECTION} characters for a collection, 1 to
 * {@value #MAX_NAME} for other names (a snapshot's name is its collection's plus a timestamp).
 * That rules out separators, {@code .} and {@code ..}, hidden files, empty names and anything a
 * shell or another OS would read differently.
 */
public final class Names {

    /** Longest collection name. */
    public static final int MAX_COLLECTION = 64;
    /** Longest other name. */
    public static final int MAX_NAME = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private Names() {}

    /**
     * Returns {@code name} if it is a valid collection name ({@link #check} with at most
     * {@value #MAX_COLLECTION} characters).
     *
     * @throws IllegalArgumentException naming the rule
     */
    public static String collection(String name) {
        if (name != null && name.length() > MAX_COLLECTION && VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("collection name must be 1-" + MAX_COLLECTION + " characters, got "
                    + name.length() + " ('" + shorten(name) + "')");
        }
        return check("collection name", name);
    }

    /**
     * Returns {@code name} if valid.
     *
     * @param field what the name is, for the message ("collection name", "tenant")
     * @throws IllegalArgumentException naming the field and the rule
     */
    public static String check(String field, String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1-" + (field.startsWith("collection") ? MAX_COLLECTION : MAX_NAME)
                    + " characters of letters, digits, '_', '-' or '.',"
                    + " starting with a letter or digit; got " + (name == null ? "nothing" : "'" + shorten(name) + "'"));
        }
        return name;
    }

    private static String shorten(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }
}
