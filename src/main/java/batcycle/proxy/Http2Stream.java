package batcycle.proxy;

import batcycle.headers.HeaderNames;
import batcycle.headers.RequestIds;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Protocol;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2CodecUtil;
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
final class Http2Stream extends ChannelDuplexHandler implements ClientStream {
  private final ProxyLoop loop;
  private final String clientAddress;
  private final String certSubject;
  private ChannelHandlerContext ctx;
  private ReadGate gate;
  private ProxyExchange current;
  private ChannelBody requestBody;
  private Runnable writableListener;
  private boolean began;

  /** {@code certSubject}: the client certificate's subject on a TLS connection, or null. */
  Http2Stream(ProxyLoop loop, String clientAddress, String certSubject) {
    this.loop = loop;
    this.clientAddress = clientAddress;
    this.certSubject = certSubject;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.gate = new ReadGate(ctx.channel());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request && !began) {
      began = true;
      begin(request);
      if (msg instanceof FullHttpMessage whole) {
        requestBody.offer(Http2Messages.end(whole));
      }
    } else if (msg instanceof HttpContent content && requestBody != null) {
      requestBody.offer(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(HttpRequest received) {
    HttpRequest request = (HttpRequest) Http2Messages.head(received);
    requestBody = new ChannelBody(gate);
    loop.watchPace(requestBody, request.headers());
    Exchange exchange = new Exchange(request, Protocol.HTTP_2, clientAddress, loop.localPort(), loop.scheduler(),
        RequestIds.keepOrGenerate(request.headers().get(HeaderNames.X_REQUEST_ID)), requestBody);
    if (loop.secure()) {
      exchange.secure(true);
      exchange.clientCertSubject(certSubject);
    }
    requestBody.countInto(exchange);
    if (HttpUtil.is100ContinueExpected(request)) {
      requestBody.onFirstDemand(this::sendContinue);
    }
    current = new ProxyExchange(exchange, this, requestBody, loop);
    current.start();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (requestBody != null) {
      requestBody.readComplete();
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

  private void clientGone() {
    if (current != null) {
      ProxyExchange gone = current;
      current = null;
      gone.clientGone();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && writableListener != null) {
      writableListener.run();
    }
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
  public void exchangeDone(boolean closeConnection) {
    boolean wholeRequestRead = requestBody == null || requestBody.isReceived();
    current = null;
    if (!wholeRequestRead && ctx.channel().isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
    }
    if (closeConnection) {
      ctx.channel().parent().close(); // graceful: GOAWAY, the other streams finish (see Http2Server)
    }
  }

  private void sendContinue() {
    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
  }

  @Override
  public Protocol protocol() {
    return Protocol.HTTP_2;
  }

  @Override
  public void write(HttpObject message) {
    ctx.write(message, ctx.voidPromise());
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public ChannelFuture writeAndFlush(HttpObject message) {
    return ctx.writeAndFlush(message);
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public long bytesBeforeWritable() {
    return ctx.channel().bytesBeforeWritable();
  }

  @Override
  public void onWritable(Runnable listener) {
    this.writableListener = listener;
  }

  @Override
  public boolean isClosed() {
    return !ctx.channel().isActive();
  }

  @Override
  public void reset() {
    current = null;
    ctx.flush();
    ctx.close(); // RST_STREAM CANCEL
  }

  @Override
  public void switchProtocols(HttpResponse upgrade, TunnelHandler clientSide, Runnable switched, Runnable failed) {
    failed.run(); // an HTTP/1.1 upgrade cannot happen on an HTTP/2 stream (and is never asked for on one)
  }

  @Override
  public boolean keepAlive() {
    return true;
  }
}
