package io.vectorflow.cluster;

import io.vectorflow.engine.Point;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Writes to and reads from one shard's replica group, from any node. Writes go to the group's
 * leader (found and followed by the Raft client across elections) and return once a majority of
 * replicas logged them durably and the leader applied them. Reads are linearizable: the leader
 * answers once it applied up to the commit index it had when the read arrived, having confirmed
 * it still leads (by its lease, or else a heartbeat round), so a read sees every write
 * acknowledged before it started.
 */
public final class ShardClient implements AutoCloseable {

    /** How long a call keeps trying through elections and unreachable replicas before it fails. */
    static final TimeDuration RETRY_FOR = TimeDuration.valueOf(15, TimeUnit.SECONDS);

    private final RaftClient client;

    public ShardClient(RaftGroup group) {
        RaftProperties p = new RaftProperties();
        long sleep = 50;
        this.client = RaftClient.newBuilder().setProperties(p).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep((int) (RETRY_FOR.toLong(TimeUnit.MILLISECONDS) / sleep),
                        TimeDuration.valueOf(sleep, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * Inserts or replaces points; returns once they are committed. A batch too large for one log
     * entry goes as several, in order (a failure part-way leaves the earlier parts written).
     */
    public void upsert(List<Point> points) throws IOException {
        byte[] command = new ShardCommand.Out(ShardCommand.UPSERT).points(points).toByteArray();
        if (command.length > ClusterNode.MAX_ENTRY && points.size() > 1) {
            upsert(points.subList(0, points.size() / 2));
            upsert(points.subList(points.size() / 2, points.size()));
            return;
        }
        answer(call(() -> client.io().send(Message.valueOf(ByteString.copyFrom(command)))));
    }

    /** Deletes points by id; returns how many existed. */
    public long delete(List<PointId> ids) throws IOException {
        return write(new ShardCommand.Out(ShardCommand.DELETE_IDS).ids(ids)).readLong();
    }

    /** Deletes the points matching {@code filter}; returns how many. */
    public long delete(Filter filter) throws IOException {
        return write(new ShardCommand.Out(ShardCommand.DELETE_WHERE).filter(filter)).readLong();
    }

    /** Points matching the filter (null: all). */
    public long count(Filter filter) throws IOException {
        return read(countQuery(filter)).readLong();
    }

    private static ShardCommand.Out countQuery(Filter filter) {
        ShardCommand.Out q = new ShardCommand.Out(ShardCommand.COUNT).bool(filter != null);
        return filter == null ? q : q.filter(filter);
    }

    /** The points with these ids that exist. */
    public List<Record> get(List<PointId> ids, boolean withPayload, boolean withVector) throws IOException {
        return ShardCommand.records(read(new ShardCommand.Out(ShardCommand.GET).ids(ids).bool(withPayload).bool(withVector)));
    }

    /** The shard's nearest points to a dense query (the request's offset is left to the caller: see {@link ShardCommand#search}). */
    ShardCommand.Hits search(io.vectorflow.engine.SearchRequest request) throws IOException {
        return ShardCommand.hits(read(ShardCommand.search(request)));
    }

    /**
     * Points matching the filter (null: all) as the replica {@code peer} holds them now, without
     * asking the leader: how far that replica has applied the log.
     */
    public long countAt(org.apache.ratis.protocol.RaftPeerId peer, Filter filter) throws IOException {
        byte[] q = countQuery(filter).toByteArray();
        return answer(call(() -> client.io().sendStaleRead(Message.valueOf(ByteString.copyFrom(q)), 0, peer))).readLong();
    }

    /** The replica this client last found leading the group, or null before the first call. */
    public org.apache.ratis.protocol.RaftPeerId leader() {
        return client.getLeaderId();
    }

    private DataInputStream write(ShardCommand.Out command) throws IOException {
        return answer(call(() -> client.io().send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))));
    }

    private DataInputStream read(ShardCommand.Out query) throws IOException {
        return answer(call(() -> client.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(query.toByteArray())))));
    }

    interface Call {
        RaftClientReply run() throws IOException;
    }

    /**
     * Runs a call, again while a replica answers that it does not hold the group yet (a shard
     * just created, whose replicas are still being set up on their nodes), for at most
     * {@link #RETRY_FOR}. Elections and unreachable replicas are the Raft client's own retries.
     */
    static RaftClientReply call(Call c) throws IOException {
        long deadline = System.nanoTime() + RETRY_FOR.toLong(TimeUnit.NANOSECONDS);
        while (true) {
            try {
                RaftClientReply r = c.run();
                if (r.isSuccess() || !(r.getException() instanceof GroupMismatchException) || System.nanoTime() > deadline) {
                    return r;
                }
            } catch (GroupMismatchException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the shard's replicas");
            }
        }
    }

    private static DataInputStream answer(RaftClientReply r) throws IOException {
        if (!r.isSuccess()) {
            throw r.getException() != null ? new IOException(r.getException().getMessage(), r.getException())
                    : new IOException("the shard did not take the request");
        }
        return ShardStateMachine.answer(r.getMessage());
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
