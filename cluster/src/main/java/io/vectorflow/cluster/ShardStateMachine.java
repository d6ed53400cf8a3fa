package io.vectorflow.cluster;

import io.vectorflow.engine.Collection;
import io.vectorflow.engine.Record;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.storage.PointId;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * One replica of a shard: applies the shard's Raft log, in order, to a local collection, and
 * answers reads from it.
 *
 * <p>The Raft log replicates write commands ({@link ShardCommand}) rather than being the
 * collection's write-ahead log: an entry is durable on a majority before any replica applies it,
 * so the local collection writes its own log without waiting for it ({@code async} durability)
 * and keeps every engine feature (segments, compaction, quantization, tiers) unchanged. What a
 * replica applied but had not yet forced is simply applied again from the Raft log after a
 * crash: the log is kept back to the last snapshot, and a snapshot is taken only after the
 * collection sealed everything applied so far ({@link Collection#flush}). Replaying a suffix of
 * the log over a state that already holds part of it ends in the same state, because every
 * command sets points (or payload keys) to given values or deletes them.
 *
 * <p>A snapshot is an empty file whose name carries the term and index it covers (Ratis's
 * {@code snapshot.<term>_<index>}); the data it stands for is the sealed collection itself.
 */
final class ShardStateMachine extends BaseStateMachine {

    /** Answer status bytes. */
    static final byte OK = 0;
    static final byte REFUSED = 1;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Collection collection;

    ShardStateMachine(Collection collection) {
        this.collection = collection;
    }

    Collection collection() {
        return collection;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        reinitialize();
    }

    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo s = storage.loadLatestSnapshot();
        if (s != null) {
            setLastAppliedTermIndex(s.getTermIndex());
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        collection.flush(); // everything applied up to here is in sealed, forced segments
        File f = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Files.write(f.toPath(), new byte[0]);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(f.toPath(), null), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        Message answer;
        try {
            answer = apply(entry.getStateMachineLogEntry().getLogData());
        } catch (IllegalArgumentException e) {
            // Refused the same way on every replica (the engine's checks are deterministic).
            answer = refused(e);
        } catch (IOException | RuntimeException e) {
            // This replica could not apply what the others did (disk full, damaged files): it must
            // not go on as if it had. Failing here stops it applying; a restart replays the entry.
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(answer);
    }

    private Message apply(ByteString data) throws IOException {
        DataInputStream in = ShardCommand.in(data.newInput());
        byte op = in.readByte();
        long changed = switch (op) {
            case ShardCommand.UPSERT -> {
                var points = ShardCommand.points(in);
                collection.upsert(points);
                yield points.size();
            }
            case ShardCommand.DELETE_IDS -> collection.delete(ShardCommand.ids(in));
            case ShardCommand.DELETE_WHERE -> collection.delete(ShardCommand.filter(in));
            case ShardCommand.SET_PAYLOAD -> {
                boolean byIds = in.readBoolean();
                List<PointId> ids = byIds ? ShardCommand.ids(in) : null;
                Filter filter = byIds ? null : ShardCommand.filter(in);
                var payload = (com.fasterxml.jackson.databind.node.ObjectNode) ShardCommand.json(in);
                boolean replace = in.readBoolean();
                String key = in.readBoolean() ? in.readUTF() : null;
                yield collection.setPayload(ids, filter, payload, replace, key);
            }
            default -> throw new IllegalArgumentException("unknown shard command " + op);
        };
        return Message.valueOf(ByteString.copyFrom(new ShardCommand.Out(OK).longValue(changed).toByteArray()));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            DataInputStream in = ShardCommand.in(request.getContent().newInput());
            byte op = in.readByte();
            byte[] answer = switch (op) {
                case ShardCommand.COUNT -> new ShardCommand.Out(OK)
                        .longValue(collection.count(in.readBoolean() ? ShardCommand.filter(in) : null)).toByteArray();
                case ShardCommand.GET -> {
                    List<PointId> ids = ShardCommand.ids(in);
                    List<Record> found = collection.get(ids, in.readBoolean(), in.readBoolean());
                    yield new ShardCommand.Out(OK).records(found).toByteArray();
                }
                case ShardCommand.SEARCH -> ShardCommand.hits(OK, collection.search(ShardCommand.search(in)));
                default -> throw new IllegalArgumentException("unknown shard query " + op);
            };
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer)));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(refused(e));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Message refused(Exception e) {
        return Message.valueOf(ByteString.copyFrom(new ShardCommand.Out(REFUSED).utf(String.valueOf(e.getMessage())).toByteArray()));
    }

    /** The answer's body after its status byte, or the refusal as an {@link IllegalArgumentException}. */
    static DataInputStream answer(Message m) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(m.getContent().toByteArray()));
        if (in.readByte() == REFUSED) {
            throw new IllegalArgumentException(in.readUTF());
        }
        return in;
    }
}
