package batcycle.proxy;

import batcycle.headers.HeaderNames;
import batcycle.headers.RequestIds;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Protocol;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The client's side of one exchange, where its response goes: an HTTP/1 connection (one exchange at a time) or an
 * HTTP/2 stream. What both share lives here: the writes to their channel, the read gate of the request body, and how
 * a request head becomes a running {@link ProxyExchange}. A sealed base with final methods rather than an interface:
 * the exchange's writes, made for every piece of a response, are direct calls.
 *
 * <p>Confined to the event loop of the client's connection.
 */
abstract sealed class ClientStream extends ChannelDuplexHandler permits Http1Connection, Http2Stream {
  // The state both subclasses share (package-private for them; nothing else in the package touches it).
  final ProxyLoop loop;
  ChannelHandlerContext ctx;
  ReadGate gate;
  /** The exchange under way, or null. */
  ProxyExchange current;
  /** The body of the request under way, or null. */
  ChannelBody requestBody;
  private Runnable writableListener;

  ClientStream(ProxyLoop loop) {
    this.loop = loop;
  }

  @Override
  public final void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.gate = new ReadGate(ctx.channel());
  }

  /**
   * Makes the exchange for a request head, with its body read from this channel; {@code certSubject}: the client
   * certificate's subject on a TLS connection, or null. {@link #start} runs it.
   */
  final Exchange newExchange(HttpRequest request, Protocol protocol, String clientAddress, String certSubject) {
    requestBody = new ChannelBody(gate);
    loop.watchPace(requestBody, request.headers());
    Exchange exchange = new Exchange(request, protocol, clientAddress, loop.localPort(), loop.scheduler(),
        RequestIds.keepOrGenerate(request.headers().get(HeaderNames.X_REQUEST_ID)), requestBody);
    if (loop.secure()) {
      exchange.secure(true);
      exchange.clientCertSubject(certSubject);
    }
    requestBody.countInto(exchange);
    if (HttpUtil.is100ContinueExpected(request)) {
      requestBody.onFirstDemand(this::sendContinue);
    }
    return exchange;
  }

  final void start(Exchange exchange) {
    current = new ProxyExchange(exchange, this, requestBody, loop);
    current.start();
  }

  private void sendContinue() {
    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
  }

  /** The client went away: the exchange under way, if any, learns it once. */
  final void clientGone() {
    if (current != null) {
      ProxyExchange gone = current;
      current = null;
      gone.clientGone();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (requestBody != null) {
      requestBody.readComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && writableListener != null) {
      writableListener.run();
    }
  }

  abstract Protocol protocol();

  /** Writes without flushing. */
  final void write(HttpObject message) {
    ctx.write(message, ctx.voidPromise());
  }

  final void flush() {
    ctx.flush();
  }

  /** Writes and flushes; the future says whether it reached the socket. */
  final ChannelFuture writeAndFlush(HttpObject message) {
    return ctx.writeAndFlush(message);
  }

  /** False while the client is not taking what is written (back-pressure). */
  final boolean isWritable() {
    return ctx.channel().isWritable();
  }

  /** Bytes still to drain before the stream turns writable again: shrinks while the client takes the response. */
  final long bytesBeforeWritable() {
    return ctx.channel().bytesBeforeWritable();
  }

  /** Called whenever the stream turns writable again; one listener, replaced by the next. */
  final void onWritable(Runnable listener) {
    this.writableListener = listener;
  }

  /** True if the client can no longer get anything. */
  abstract boolean isClosed();

  /**
   * The response is complete (or abandoned): the connection may serve the next request, unless
   * {@code closeConnection} asks to close it (HTTP/1: after what was written; HTTP/2: GOAWAY).
   */
  abstract void exchangeDone(boolean closeConnection);

  /** Cuts the response short so it can never look complete: HTTP/1 closes the connection, HTTP/2 resets the stream. */
  abstract void reset();

  /**
   * Sends the app's 101 and, once it is out, turns the connection into {@code clientSide} of a tunnel (HTTP/1.1
   * only), then runs {@code switched}; {@code failed} runs instead if the 101 could not be written.
   */
  abstract void switchProtocols(HttpResponse upgrade, TunnelHandler clientSide, Runnable switched, Runnable failed);

  /** True if the client asked to keep the connection (HTTP/1.x rules); always true on HTTP/2. */
  abstract boolean keepAlive();
}
