package batcycle.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's share of Vert.x's event loops, as a Netty group: accepted connections are handed out round-robin over
 * these loops only, so the admin server keeps a loop of its own. The loops belong to Vert.x, which shuts them down;
 * shutting this view down does nothing.
 */
public final class LoopGroup extends AbstractEventExecutorGroup implements EventLoopGroup {
  private final List<EventLoop> loops;
  private final AtomicInteger next = new AtomicInteger();

  public LoopGroup(List<EventLoop> loops) {
    this.loops = List.copyOf(loops);
  }

  @Override
  public EventLoop next() {
    return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
  }

  @Override
  public ChannelFuture register(Channel channel) {
    return next().register(channel);
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    return next().register(promise);
  }

  @Override
  @Deprecated
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    return next().register(promise);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Iterator<EventExecutor> iterator() {
    return (Iterator) loops.iterator();
  }

  @Override
  public boolean isShuttingDown() {
    return loops.get(0).isShuttingDown();
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    return terminationFuture();
  }

  @Override
  public Future<?> terminationFuture() {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
  }

  @Override
  @Deprecated
  public void shutdown() {
    // Vert.x owns the loops.
  }

  @Override
  public boolean isShutdown() {
    return loops.get(0).isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return loops.get(0).isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }
}
