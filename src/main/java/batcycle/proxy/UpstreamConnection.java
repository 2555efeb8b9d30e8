package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import batcycle.upstream.TlsOrigination;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pooled HTTP/1.1 connection to the app, behind Netty's client codec. It serves one attempt at a time and goes
 * back to its pool once both the request and the response went through whole and both sides allow keep-alive.
 * It also closes the keep-alive race with an app that announces its idle timeout ({@code Keep-Alive: timeout=N},
 * as Node and Apache do): the connection is kept at most {@code N - 1} s, and not reused at all when that leaves
 * less than a second.
 *
 * <p>Confined to its event loop.
 */
final class UpstreamConnection extends UpstreamChannel {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);
  private final UpstreamPool pool;
  /** The body of a response that ended in the read under way, until that read's end reaches it. */
  private ChannelBody completedInThisRead;
  private boolean requestSent;
  private boolean reusable = true;
  private boolean established;
  private long keepAliveNanos;
  private long idleSinceNanos;

  UpstreamConnection(UpstreamPool pool, long keepAliveNanos) {
    super(true);
    this.pool = pool;
    this.keepAliveNanos = keepAliveNanos;
  }

  /** The connection was made (and its TLS handshake done): from now on its pool counts it. */
  void established() {
    established = true;
  }

  @Override
  void bind(Attempt attempt) {
    super.bind(attempt);
    requestSent = false;
  }

  /** When this connection, idle since {@link #parked}, must no longer be reused. */
  boolean expired(long nowNanos) {
    return !ctx.channel().isActive() || nowNanos - idleSinceNanos >= keepAliveNanos;
  }

  void parked(long nowNanos) {
    idleSinceNanos = nowNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Attempt current = attempt;
    if (current == null || responseReceived) {
      // Bytes nobody asked for (beyond the previous response): the connection's framing can no longer be trusted.
      ReferenceCountUtil.release(msg);
      reusable = false;
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse head) {
      if (head.decoderResult().isFailure() || !isHttp11Or10(head)) {
        ReferenceCountUtil.release(msg);
        fail(UpstreamFailures.protocolError(head.decoderResult().isFailure() ? head.decoderResult().cause()
            : new IllegalArgumentException("unsupported protocol version " + head.protocolVersion())));
        return;
      }
      int status = head.status().code();
      if (status == 101) {
        current.upgraded(head); // only a WebSocket attempt asks for one; it takes the connection over
        return;
      }
      if (status < 200) {
        current.interim(head); // 103 goes on to the client; 100 and 102 are dropped
        ReferenceCountUtil.release(msg);
        return;
      }
      keepAlive(head);
      responded(current, head);
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      if (responseBody == null) {
        content.release();
        return;
      }
      if (deliver(current, content)) {
        releaseIfDone();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Netty parses any HTTP/x.y; an app speaking anything but HTTP/1.x cannot be understood. */
  private static boolean isHttp11Or10(HttpResponse head) {
    return head.protocolVersion().majorVersion() == 1 && head.protocolVersion().minorVersion() <= 1;
  }

  private void keepAlive(HttpResponse head) {
    long keep = KeepAliveHint.keepNanos(head, keepAliveNanos);
    if (keep == 0) {
      reusable = false;
    } else {
      keepAliveNanos = keep;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ChannelBody finished = completedInThisRead;
    completedInThisRead = null;
    if (finished != null && finished != responseBody) {
      // The read that brought the end of a response ends here too: its body may still hold pieces written to a
      // slow client and not flushed, and no later read of this connection will reach it.
      finished.readComplete();
    }
    super.channelReadComplete(ctx);
  }

  @Override
  void requestSent() {
    requestSent = true;
    releaseIfDone();
  }

  private void releaseIfDone() {
    if (!responseReceived || !requestSent || attempt == null) {
      return;
    }
    attempt = null;
    completedInThisRead = responseBody;
    responseBody = null;
    if (reusable && ctx.channel().isActive()) {
      pool.release(this);
    } else {
      ctx.close();
    }
  }

  @Override
  void abort() {
    reusable = false;
    super.abort();
  }

  /** After a valid 101: the connection leaves the pool and carries raw bytes from now on. */
  TunnelHandler switchToTunnel(Runnable onClose) {
    attempt = null;
    reusable = false;
    pool.handOver(this);
    TunnelHandler appSide = new TunnelHandler(onClose);
    ctx.pipeline().replace(this, "batcycle-tunnel", appSide);
    ctx.pipeline().remove(UpstreamPool.CODEC);
    return appSide;
  }

  @Override
  void giveBack() {
    attempt = null;
    pool.release(this);
  }

  private void fail(ProxyFailure failure) {
    Attempt current = attempt;
    attempt = null;
    reusable = false;
    ctx.close();
    if (current != null) {
      failed(current, failure);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!established) {
      return; // a failed handshake: the pool already counted the failed connect
    }
    pool.closed(this);
    if (attempt != null && !responseReceived) {
      ProxyFailure refused = ctx.channel().attr(TlsOrigination.REFUSAL).get();
      fail(refused != null ? refused : attempt.closedFailure());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Each failure also closes the connection, which fails the attempt on it; one line is enough here.
    LOG.debug("connection to the app failed: {}", cause.toString());
    ctx.close();
  }
}
