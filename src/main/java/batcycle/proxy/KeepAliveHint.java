package batcycle.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the keep-alive race with an app that announces its idle timeout ({@code Keep-Alive: timeout=N}, as Node
 * and Apache do). Vert.x 5.0.7 reads that hint, but takes N as is, replacing {@code pool.idleTimeout}: with Node's
 * default of 5 s, batcycle would reuse a connection at the very moment Node closes it, and an app announcing 60 s
 * would hold pooled connections for 60 s. Before Vert.x sees a response head, this handler rewrites the hint to
 * {@code min(pool.idleTimeout, N - 1 s)}, or, when that leaves less than a second (Vert.x counts in seconds), marks
 * the response {@code Connection: close} so the connection is not reused at all. The response to the client is
 * unaffected: both headers are hop-by-hop and never relayed.
 */
final class KeepAliveHint extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(KeepAliveHint.class);
  private static final String NAME = "batcycle-keep-alive-hint";
  private final int poolIdleSeconds;

  KeepAliveHint(int poolIdleSeconds) {
    this.poolIdleSeconds = poolIdleSeconds;
  }

  /** Puts the handler in front of Vert.x's own on a new HTTP/1.x connection to the app. */
  static void install(HttpConnection connection, int poolIdleSeconds) {
    // Vert.x has no public hook for this; its HTTP/1.x client connection is a ConnectionBase whose handler context
    // is Vert.x's own handler. KeepAliveIT fails if a Vert.x upgrade changes that.
    if (connection instanceof ConnectionBase base) {
      ChannelHandlerContext vertxHandler = base.channelHandlerContext();
      if (vertxHandler.pipeline().get(NAME) == null) {
        vertxHandler.pipeline().addBefore(vertxHandler.name(), NAME, new KeepAliveHint(poolIdleSeconds));
      }
    } else {
      LOG.debug("cannot watch Keep-Alive hints on {}", connection.getClass().getName());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response) {
      rewrite(response);
    }
    ctx.fireChannelRead(msg);
  }

  void rewrite(HttpResponse response) {
    String hint = response.headers().get(HttpHeaderNames.KEEP_ALIVE);
    long announced = hint == null ? -1 : timeoutSeconds(hint);
    if (announced < 0) {
      return;
    }
    long keep = Math.min(poolIdleSeconds, announced - 1);
    if (keep < 1) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      response.headers().remove(HttpHeaderNames.KEEP_ALIVE);
    } else {
      response.headers().set(HttpHeaderNames.KEEP_ALIVE, "timeout=" + keep);
    }
  }

  /** The {@code timeout} parameter in seconds, or -1 if absent or unreadable. */
  static long timeoutSeconds(String hint) {
    for (String part : hint.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("timeout=")) {
        String value = p.substring("timeout=".length()).trim();
        if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(Character::isDigit)) {
          return Long.parseLong(value);
        }
        return -1;
      }
    }
    return -1;
  }
}
