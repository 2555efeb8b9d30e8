package batcycle.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices a client connection with no traffic either way for {@code timeouts.clientIdle} and tells the protocol
 * handler ({@link #IDLE}), which closes it unless a request on it is still waiting for the app (the app's own
 * timeouts govern that). One timer per connection, re-armed lazily: reads and writes only note the time, and a
 * firing timer that finds recent traffic re-arms for the rest. Netty's IdleStateHandler would add a listener to
 * every write.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ClientIdleTimeout extends ChannelDuplexHandler {
  public static final String NAME = "batcycle-client-idle";
  /** The user event fired when the connection has been idle for the timeout. */
  public static final Object IDLE = new Object() {
    @Override
    public String toString() {
      return "client connection idle";
    }
  };

  private final long timeoutNanos;
  private long lastTrafficNanos;
  private ScheduledFuture<?> timer;

  public ClientIdleTimeout(long timeoutMillis) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastTrafficNanos = System.nanoTime();
    timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastTrafficNanos = System.nanoTime();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastTrafficNanos = System.nanoTime();
    ctx.write(msg, promise);
  }

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long idle = System.nanoTime() - lastTrafficNanos;
    if (idle < timeoutNanos) {
      timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos - idle, TimeUnit.NANOSECONDS);
      return;
    }
    lastTrafficNanos = System.nanoTime(); // the handler may keep the connection: then the next period counts anew
    timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    ctx.pipeline().fireUserEventTriggered(IDLE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
