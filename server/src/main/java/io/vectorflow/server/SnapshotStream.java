package io.vectorflow.server;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vectorflow.api.v1.SnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * Streams a snapshot archive to a gRPC client in chunks, as fast as the client reads: a chunk is
 * read from the file only while the call's transport is ready for more, so a slow client holds
 * one chunk of memory, not the archive. Cancelling the call closes the file.
 */
final class SnapshotStream {

    /** Bytes per message. */
    static final int CHUNK = 1 << 20;

    private SnapshotStream() {
    }

    /**
     * Answers {@code out} with the bytes of the file {@code file} names (resolved now, on the
     * calling thread, where the caller's tenant is known), or with the failure's status.
     */
    static void send(Supplier<Path> file, StreamObserver<SnapshotChunk> out) {
        ServerCallStreamObserver<SnapshotChunk> call = (ServerCallStreamObserver<SnapshotChunk>) out;
        FileChannel channel;
        try {
            channel = FileChannel.open(file.get(), StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            out.onError(GrpcCalls.status(e instanceof java.nio.file.NoSuchFileException
                    ? new io.vectorflow.engine.NotFoundException("the snapshot no longer exists") : e));
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        boolean[] finished = {false};
        Runnable pump = () -> {
            synchronized (finished) {
                try {
                    while (!finished[0] && call.isReady() && !call.isCancelled()) {
                        buffer.clear();
                        int n = channel.read(buffer);
                        if (n < 0) {
                            finished[0] = true;
                            channel.close();
                            call.onCompleted();
                            return;
                        }
                        buffer.flip();
                        call.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(buffer)).build());
                    }
                } catch (IOException | RuntimeException e) {
                    finished[0] = true;
                    close(channel);
                    call.onError(GrpcCalls.status(e));
                }
            }
        };
        call.setOnCancelHandler(() -> {
            synchronized (finished) {
                finished[0] = true;
                close(channel);
            }
        });
        call.setOnReadyHandler(pump);
        pump.run();
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to read from it
        }
    }
}
