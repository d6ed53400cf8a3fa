package io.vectorflow.cli.load;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A remote source read a page at a time into {@link #page}: skipping drains the page first and
 * then asks the source to skip what it has not sent yet (by ids or keys only, without vectors).
 */
abstract class PagedSource extends VectorSource implements RemoteSource {

    /** Rows fetched and not yet returned or skipped. */
    protected final Deque<Row> page = new ArrayDeque<>();
    private long size;
    private int dimension;
    private String distance;

    /** Sets what the source said about itself when it was opened. */
    protected final void describe(long size, int dimension, String distance) {
        this.size = size;
        this.dimension = dimension;
        this.distance = distance;
    }

    @Override
    public final long size() {
        return size;
    }

    @Override
    public final int dimension() {
        return dimension;
    }

    @Override
    public final String distance() {
        return distance;
    }

    /** Adds the next page to {@link #page}; adds nothing at the end. */
    protected abstract void fill() throws IOException;

    /** Skips {@code n} rows the source has not put into {@link #page} yet. */
    protected abstract void skipUnread(long n) throws IOException;

    /** Called for each row that leaves the page, returned or skipped. */
    protected void taken(Row row) {
    }

    @Override
    public final Row next() throws IOException {
        if (page.isEmpty()) {
            fill();
        }
        Row r = page.poll();
        if (r != null) {
            taken(r);
        }
        return r;
    }

    @Override
    public final void skip(long n) throws IOException {
        long left = n;
        while (left > 0 && !page.isEmpty()) {
            taken(page.poll());
            left--;
        }
        if (left > 0) {
            skipUnread(left);
        }
    }

    /** Sends {@code request}; an interruption is an {@link IOException} with the thread's flag kept. */
    protected static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
