package batcycle.proxy;

import batcycle.connection.ClientConnections;
import batcycle.connection.ClientIdleTimeout;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Protocol;
import batcycle.tls.ClientCertificate;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * A client's HTTP/1.x connection, behind Netty's codec: one exchange at a time, in order. A pipelined request that
 * arrives while the previous response is still going out waits here (and the connection stops reading) until that
 * response is complete, so responses can never overtake each other. The connection closes after a response when
 * either side asked for it, while draining, or when the request was not read to its end (its leftover bytes must
 * never be taken for a new request).
 *
 * <p>Confined to the connection's event loop.
 */
final class Http1Connection extends ClientStream {
  private ArrayDeque<Object> held;
  private Protocol protocol = Protocol.HTTP_1_1;
  private String clientAddress;
  private String certSubject;
  private boolean keepAlive = true;
  private boolean closing;
  private boolean draining;

  Http1Connection(ProxyLoop loop) {
    super(loop);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
    } else if ((current != null && requestBody.isReceived()) || (held != null && !held.isEmpty())) {
      hold(msg); // the next request: its turn comes when the current response is complete
    } else if (msg instanceof HttpRequest request) {
      begin(request);
    } else if (msg instanceof HttpContent content && current != null) {
      if (content.decoderResult().isFailure()) {
        // Broken framing mid-body: the app must never get what looks like a whole request, and the rest of the
        // connection's bytes cannot be trusted, so not even an answer goes out: the connection is cut first, before
        // the body (perhaps read ahead, with the exchange waiting on it) learns that it broke.
        reset();
      }
      requestBody.offer(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    protocol = version.minorVersion() == 0 && version.majorVersion() == 1 ? Protocol.HTTP_1_0 : Protocol.HTTP_1_1;
    keepAlive = HttpUtil.isKeepAlive(request); // read now: the request's Connection header is hop-by-hop
    if (clientAddress == null) {
      clientAddress = ProxyLoop.clientAddress(ctx.channel()); // formatted once per connection, not per request
      certSubject = loop.secure() ? ClientCertificate.subject(ctx.channel()) : null;
    }
    Exchange exchange = newExchange(request, protocol, clientAddress, certSubject);
    if (request.decoderResult().isFailure() && request instanceof HttpContent whole) {
      // Netty hands an unparsable head over as a complete empty message; it is answered and the connection closed.
      whole.release();
      requestBody.markReceived();
    }
    start(exchange);
  }

  private void hold(Object msg) {
    if (held == null) {
      held = new ArrayDeque<>(2);
    }
    held.add(msg);
    gate.close(ReadGate.PIPELINED);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    super.channelReadComplete(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  void exchangeDone(boolean closeConnection) {
    boolean wholeRequestRead = requestBody == null || requestBody.isReceived();
    current = null;
    requestBody = null;
    if (closeConnection || !keepAlive || draining || !wholeRequestRead) {
      closing = true;
      releaseHeld();
      ctx.close();
      return;
    }
    if (held != null) {
      // Replayed in order: a message after the next complete request is held again, behind it.
      ArrayDeque<Object> waiting = held;
      held = null;
      Object msg;
      while ((msg = waiting.poll()) != null) {
        channelRead(ctx, msg);
      }
    }
    if (held == null || held.isEmpty()) {
      gate.open(ReadGate.PIPELINED);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    releaseHeld();
    clientGone();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    super.channelWritabilityChanged(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyServer.DRAIN) {
      draining = true;
      if (current == null) {
        closing = true;
        ctx.close(); // idle keep-alive connection: nothing to wait for
      }
      return;
    }
    if (evt == ClientIdleTimeout.IDLE) {
      if (current == null || !ctx.channel().isWritable()) {
        closing = true;
        ctx.close(); // idle, or a response the client stopped reading
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    loop.clientProtocolError(cause);
    closing = true;
    ctx.close();
  }

  private void releaseHeld() {
    if (held != null) {
      Object msg;
      while ((msg = held.poll()) != null) {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Override
  Protocol protocol() {
    return protocol;
  }

  @Override
  boolean isClosed() {
    return closing || !ctx.channel().isActive();
  }

  @Override
  void reset() {
    closing = true;
    ctx.flush(); // what was written goes out, so the client sees how far the response got
    ctx.close();
  }

  @Override
  void switchProtocols(HttpResponse upgrade, TunnelHandler clientSide, Runnable switched, Runnable failed) {
    current = null;
    requestBody = null;
    ctx.writeAndFlush(upgrade).addListener(written -> {
      if (!written.isSuccess() || !ctx.channel().isActive()) {
        failed.run();
        return;
      }
      releaseHeld();
      ChannelPipeline pipeline = ctx.pipeline();
      ClientConnections.notHttp1(pipeline);
      pipeline.replace(this, "batcycle-tunnel", clientSide);
      pipeline.remove(ProxyServer.HTTP_CODEC);
      switched.run();
    });
  }

  @Override
  boolean keepAlive() {
    return keepAlive && !draining;
  }
}
