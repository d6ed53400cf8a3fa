package io.vectorflow.server;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vectorflow.core.search.Budget;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Cancels the budgets of a connection's requests the moment the connection closes. Armeria
 * cancels them too, but for HTTP/1 only a second after the close (so that a response finishing
 * just then is not cut off): a client that gives up on a minute of work would still cost a
 * second of it. Installed on every accepted connection's pipeline
 * ({@code ServerBuilder.childChannelPipelineCustomizer}); requests are found by the remote
 * address, which names their connection.
 */
final class Disconnects implements Consumer<ChannelPipeline> {

    private final Map<SocketAddress, Set<Budget>> running = new ConcurrentHashMap<>();

    @Override
    public void accept(ChannelPipeline pipeline) {
        pipeline.addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                Set<Budget> budgets = running.remove(ctx.channel().remoteAddress());
                if (budgets != null) {
                    budgets.forEach(b -> b.cancel("the client went away"));
                }
                super.channelInactive(ctx);
            }
        });
    }

    /** Cancels {@code budget} if the connection of {@code ctx} closes before the request is done. */
    void watch(ServiceRequestContext ctx, Budget budget) {
        SocketAddress client = ctx.remoteAddress();
        running.computeIfAbsent(client, k -> ConcurrentHashMap.newKeySet()).add(budget);
        ctx.log().whenComplete().thenRun(() -> running.computeIfPresent(client, (k, set) -> {
            set.remove(budget);
            return set.isEmpty() ? null : set;
        }));
    }
}
