package batcycle.proxy;

import batcycle.pipeline.Protocol;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * One HTTP/2 stream from a client, behind Netty's stream-to-HTTP-object codec: one request, one exchange. A client
 * resetting the stream is a client going away; a response sent before the request body ended is followed by
 * RST_STREAM NO_ERROR, which asks the client to stop sending (RFC 9113 §8.1).
 *
 * <p>Confined to the connection's event loop.
 */
final class Http2Stream extends ClientStream {
  private final String clientAddress;
  private final String certSubject;
  private boolean began;

  /** {@code certSubject}: the client certificate's subject on a TLS connection, or null. */
  Http2Stream(ProxyLoop loop, String clientAddress, String certSubject) {
    super(loop);
    this.clientAddress = clientAddress;
    this.certSubject = certSubject;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request && !began) {
      began = true;
      start(newExchange((HttpRequest) Http2Messages.head(request), Protocol.HTTP_2, clientAddress, certSubject));
      if (msg instanceof FullHttpMessage whole) {
        requestBody.offer(Http2Messages.end(whole));
      }
    } else if (msg instanceof HttpContent content && requestBody != null) {
      requestBody.offer(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame) {
      clientGone();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    clientGone();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    loop.clientProtocolError(cause);
    Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (error != null && ctx.channel().isActive()) {
      // Reset with the error's own code (STREAM_CLOSED, PROTOCOL_ERROR...); a plain close would say CANCEL.
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(error.error()));
    }
    ctx.close();
  }

  @Override
  void exchangeDone(boolean closeConnection) {
    boolean wholeRequestRead = requestBody == null || requestBody.isReceived();
    current = null;
    if (!wholeRequestRead && ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
    }
    if (closeConnection) {
      ctx.channel().parent().close(); // graceful: GOAWAY, the other streams finish (see Http2Server)
    }
  }

  @Override
  Protocol protocol() {
    return Protocol.HTTP_2;
  }

  @Override
  boolean isClosed() {
    return !ctx.channel().isActive();
  }

  @Override
  void reset() {
    current = null;
    ctx.flush();
    ctx.close(); // RST_STREAM CANCEL
  }

  @Override
  void switchProtocols(HttpResponse upgrade, TunnelHandler clientSide, Runnable switched, Runnable failed) {
    failed.run(); // an HTTP/1.1 upgrade cannot happen on an HTTP/2 stream (and is never asked for on one)
  }

  @Override
  boolean keepAlive() {
    return true;
  }
}
