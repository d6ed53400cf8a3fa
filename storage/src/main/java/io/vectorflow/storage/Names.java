package io.vectorflow.storage;

import java.util.regex.Pattern;

/**
 * The one check every user-supplied name (tenant, collection, snapshot, file) passes before it
 * touches the file system: 1 to 128 characters of ASCII letters, digits, {@code _}, {@code -} and
 * {@code .}, starting with a letter or digit. That rules out separators, {@code .} and
 * {@code ..}, hidden files, empty names and anything a shell or another OS would read differently.
 */
public final class Names {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private Names() {}

    /**
     * Returns {@code name} if valid.
     *
     * @param field what the name is, for the message ("collection name", "tenant")
     * @throws IllegalArgumentException naming the field and the rule
     */
    public static String check(String field, String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be 1-128 characters of letters, digits, '_', '-' or '.',"
                    + " starting with a letter or digit; got " + (name == null ? "nothing" : "'" + shorten(name) + "'"));
        }
        return name;
    }

    private static String shorten(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }
}
