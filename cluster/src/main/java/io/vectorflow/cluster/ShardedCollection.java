package io.vectorflow.cluster;

import io.vectorflow.core.metric.Metric;
import io.vectorflow.core.metric.Metrics;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;

/**
 * A collection spread over shards, seen from any node: points go to the shard the
 * {@link HashRing} gives their id, writes to each shard's leader in parallel, searches to every
 * shard in parallel with their top hits merged.
 *
 * <p>A write touching several shards is one Raft commit per shard, not one transaction: each
 * shard's part is all-or-nothing and the call fails if any part fails, but the parts that
 * committed stay (as in Qdrant). The engine's checks run on every replica, so a batch one shard
 * refuses for bad input is refused by all of them.
 */
public final class ShardedCollection implements AutoCloseable {

    private final CollectionConfig config;
    private final HashRing ring;
    private final List<ShardClient> shards = new ArrayList<>();
    private final Comparator<ScoredPoint> best;
    /** One virtual thread per shard call: a call spends its time waiting on the network. */
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param config the collection's settings
     * @param groups each shard's replica group, by shard number
     */
    public ShardedCollection(CollectionConfig config, List<RaftGroup> groups) {
        this.config = config;
        this.ring = new HashRing(groups.size());
        for (RaftGroup g : groups) {
            shards.add(new ShardClient(g));
        }
        Metric m = Metrics.byName(config.metric());
        Comparator<ScoredPoint> byScore = Comparator.comparingDouble(ScoredPoint::score);
        this.best = (m.higherScoreIsCloser() ? byScore.reversed() : byScore).thenComparing(ScoredPoint::id);
    }

    /**
     * Where each shard's replicas live: shard {@code s} on the {@code replicationFactor} nodes
     * after it in the node list ({@code s, s + 1, ...} modulo the node count), so every node
     * holds about the same number of replicas.
     */
    public static List<RaftPeer> replicas(int shard, int replicationFactor, List<RaftPeer> nodes) {
        if (replicationFactor < 1 || replicationFactor > nodes.size()) {
            throw new IllegalArgumentException("replication_factor must be between 1 and the number of nodes (" + nodes.size()
                    + "), got " + replicationFactor);
        }
        List<RaftPeer> out = new ArrayList<>(replicationFactor);
        for (int r = 0; r < replicationFactor; r++) {
            out.add(nodes.get((shard + r) % nodes.size()));
        }
        return out;
    }

    public CollectionConfig config() {
        return config;
    }

    public int shardOf(PointId id) {
        return ring.shardOf(id);
    }

    /** Inserts or replaces points, each shard's part committed by a majority of its replicas. */
    public void upsert(List<Point> points) throws IOException {
        Map<Integer, List<Point>> parts = new HashMap<>();
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (p == null || p.id() == null) {
                throw new IllegalArgumentException("points[" + i + "].id is required");
            }
            parts.computeIfAbsent(ring.shardOf(p.id()), k -> new ArrayList<>()).add(p);
        }
        List<Callable<Void>> work = new ArrayList<>();
        parts.forEach((s, part) -> work.add(() -> {
            shards.get(s).upsert(part);
            return null;
        }));
        all(work);
    }

    /** Deletes points by id; returns how many existed. */
    public long delete(List<PointId> ids) throws IOException {
        Map<Integer, List<PointId>> parts = byShard(ids);
        List<Callable<Long>> work = new ArrayList<>();
        parts.forEach((s, part) -> work.add(() -> shards.get(s).delete(part)));
        return all(work).stream().mapToLong(Long::longValue).sum();
    }

    /** Deletes the points matching {@code filter} on every shard; returns how many. */
    public long delete(Filter filter) throws IOException {
        List<Callable<Long>> work = new ArrayList<>();
        for (ShardClient c : shards) {
            work.add(() -> c.delete(filter));
        }
        return all(work).stream().mapToLong(Long::longValue).sum();
    }

    /** Points matching the filter (null: all), over every shard. */
    public long count(Filter filter) throws IOException {
        List<Callable<Long>> work = new ArrayList<>();
        for (ShardClient c : shards) {
            work.add(() -> c.count(filter));
        }
        return all(work).stream().mapToLong(Long::longValue).sum();
    }

    /** The points with these ids that exist, in the order asked. */
    public List<Record> get(List<PointId> ids, boolean withPayload, boolean withVector) throws IOException {
        Map<Integer, List<PointId>> parts = byShard(ids);
        List<Callable<List<Record>>> work = new ArrayList<>();
        parts.forEach((s, part) -> work.add(() -> shards.get(s).get(part, withPayload, withVector)));
        Map<PointId, Record> found = new HashMap<>();
        for (List<Record> part : all(work)) {
            for (Record r : part) {
                found.put(r.id(), r);
            }
        }
        List<Record> out = new ArrayList<>();
        for (PointId id : ids) {
            Record r = found.remove(id);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** A search over every shard: the best {@code limit} after {@code offset} of all shards' hits, and what it cost. */
    public Result search(SearchRequest request) throws IOException {
        long t0 = System.nanoTime();
        List<Callable<ShardCommand.Hits>> work = new ArrayList<>();
        for (ShardClient c : shards) {
            work.add(() -> c.search(request));
        }
        List<ScoredPoint> merged = new ArrayList<>();
        long scanned = 0;
        int segments = 0;
        for (ShardCommand.Hits h : all(work)) {
            merged.addAll(h.points());
            scanned += h.vectorsScanned();
            segments += h.segmentsSearched();
        }
        merged.sort(best);
        int from = Math.min(request.offset(), merged.size());
        int to = Math.min(merged.size(), from + request.limit());
        return new Result(List.copyOf(merged.subList(from, to)), shards.size(), scanned, segments, System.nanoTime() - t0);
    }

    /**
     * A sharded search's answer.
     *
     * @param points           the hits, best first
     * @param shardsSearched   shards asked (every shard)
     * @param vectorsScanned   distance evaluations over all shards
     * @param segmentsSearched segments over all shards
     * @param latencyNanos     time from the first shard asked to the merged answer
     */
    public record Result(List<ScoredPoint> points, int shardsSearched, long vectorsScanned, int segmentsSearched, long latencyNanos) {}

    private Map<Integer, List<PointId>> byShard(List<PointId> ids) {
        Map<Integer, List<PointId>> parts = new HashMap<>();
        for (PointId id : ids) {
            parts.computeIfAbsent(ring.shardOf(id), k -> new ArrayList<>()).add(id);
        }
        return parts;
    }

    /** Runs the calls in parallel and waits for all; the first failure (input refused before others) is thrown. */
    private <T> List<T> all(List<Callable<T>> work) throws IOException {
        List<Future<T>> futures = new ArrayList<>(work.size());
        for (Callable<T> c : work) {
            futures.add(calls.submit(c));
        }
        List<T> out = new ArrayList<>(futures.size());
        Throwable failure = null;
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                if (failure == null || e.getCause() instanceof IllegalArgumentException) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new java.io.InterruptedIOException("interrupted while waiting for shards");
            }
        }
        if (failure instanceof IllegalArgumentException iae) {
            throw iae;
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        calls.close();
        for (ShardClient c : shards) {
            c.close();
        }
    }
}
