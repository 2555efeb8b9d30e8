package batcycle.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the time from the first byte of an HTTP/1 request head to its last (slowloris). The idle timeout alone
 * cannot: a client sending a byte every few seconds is never idle. The clock starts at the first byte of each head,
 * on a new connection and on every keep-alive reuse, so an idle keep-alive connection stays governed by
 * {@code timeouts.clientIdle} alone. On expiry the client gets a 408 if no response is owed or under way (else a
 * 408 could be read as the answer to an earlier pipelined request), and the connection is closed.
 *
 * <p>Two handlers share this state: the raw side, at the front of the pipeline from accept, sees bytes arrive (a
 * head has begun); the decoded side, behind the HTTP/1 codec, sees complete heads, ends of requests and the
 * responses written. At most one timer per connection, and not one per request either:
 * a head only notes when it began, and a timer left from an earlier head, when it fires, checks the current head's
 * age and re-arms for the rest (scheduling and cancelling a timer for every request cost measurable CPU). Confined
 * to the connection's event loop, like its pipeline.
 */
final class RequestHeadTimeout {
  static final String RAW = "batcycle-head-timeout-raw";
  static final String DECODED = "batcycle-head-timeout";
  private static final String TIMEOUT_BODY = "request head not received in time\n";
  private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
      + "Content-Length: " + TIMEOUT_BODY.length() + "\r\nConnection: close\r\n\r\n" + TIMEOUT_BODY)
      .getBytes(StandardCharsets.US_ASCII);

  private enum Phase { BETWEEN_REQUESTS, IN_HEAD, IN_REQUEST }

  private final long timeoutMillis;
  private final Runnable onExpiry;
  private final RawSide raw = new RawSide();
  private final DecodedSide decoded = new DecodedSide();
  private ChannelHandlerContext rawContext;
  private Phase phase = Phase.BETWEEN_REQUESTS;
  private long headsReceived;
  private long responsesCompleted;
  private boolean responseUnderWay;
  private ScheduledFuture<?> timer;
  private long headStartNanos;

  RequestHeadTimeout(long timeoutMillis, Runnable onExpiry) {
    this.timeoutMillis = timeoutMillis;
    this.onExpiry = onExpiry;
  }

  /** The head timeout whose raw side is in this pipeline, or null. */
  static RequestHeadTimeout of(ChannelPipeline pipeline) {
    return pipeline.get(RAW) instanceof RawSide raw ? raw.owner() : null;
  }

  /** The handler to put at the front of the pipeline, before any byte is read. */
  ChannelHandler rawSide() {
    return raw;
  }

  /** The handler to put right behind the HTTP/1 codec: it sees decoded requests and the responses written. */
  ChannelHandler decodedSide() {
    return decoded;
  }

  private void headReceived() {
    headsReceived++;
    phase = Phase.IN_REQUEST; // the body is bounded by the request deadline and the idle timeouts instead
  }

  private void headBegan(ChannelHandlerContext ctx) {
    phase = Phase.IN_HEAD;
    headStartNanos = ctx.executor().ticker().nanoTime();
    if (timer == null) {
      timer = ctx.executor().schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** The connection is not HTTP/1 (or no longer is): no more heads to time. */
  void stopWatching(ChannelPipeline pipeline) {
    cancelTimer();
    phase = Phase.IN_REQUEST;
    if (pipeline.context(raw) != null) {
      pipeline.remove(raw);
    }
    if (pipeline.context(decoded) != null) {
      pipeline.remove(decoded);
    }
  }

  private void expire() {
    timer = null;
    ChannelHandlerContext ctx = rawContext;
    if (phase != Phase.IN_HEAD || ctx == null || !ctx.channel().isActive()) {
      return;
    }
    long ageNanos = ctx.executor().ticker().nanoTime() - headStartNanos;
    long leftNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - ageNanos;
    if (leftNanos > 0) {
      timer = ctx.executor().schedule(this::expire, leftNanos, TimeUnit.NANOSECONDS); // a later head's turn
      return;
    }
    onExpiry.run();
    if (responseUnderWay || responsesCompleted < headsReceived) {
      ctx.channel().close(); // a response is owed or half sent: a 408 now would be read as that response
      return;
    }
    // Written below the HTTP codec, which is never told: the connection closes right after.
    ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(ChannelFutureListener.CLOSE);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Sees the raw bytes before anything buffers them: the first byte of a head starts the clock. */
  private final class RawSide extends ChannelInboundHandlerAdapter {
    RequestHeadTimeout owner() {
      return RequestHeadTimeout.this;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      rawContext = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.BETWEEN_REQUESTS && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        headBegan(ctx);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancelTimer();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      cancelTimer();
    }
  }

  /** Sees decoded requests and the responses written, on an HTTP/1 connection. */
  private final class DecodedSide extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        headReceived();
      }
      if (msg instanceof LastHttpContent) {
        // Bytes that came in the same read as this end belong to the next head but start no clock; the next read
        // does, so a trickling client gains at most one read.
        phase = Phase.BETWEEN_REQUESTS;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        int status = response.status().code();
        if (status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
          ctx.write(msg, promise);
          stopWatching(ctx.pipeline()); // a WebSocket: no more HTTP/1 heads on this connection
          return;
        }
        if (status < 200) {
          ctx.write(msg, promise); // 100 Continue and other interim responses: the final one is still owed
          return;
        }
        responseUnderWay = true;
      }
      if (msg instanceof LastHttpContent && responseUnderWay) {
        responseUnderWay = false;
        responsesCompleted++;
      }
      ctx.write(msg, promise);
    }
  }
}
