package io.vectorflow.core.search;

/**
 * Which ordinals a search may return. Payload filters and tombstones are turned into one of these
 * by the layers above; the index calls it only for candidates that would enter the result set.
 */
@FunctionalInterface
public interface OrdinalFilter {

    boolean accept(int ordinal);
}
