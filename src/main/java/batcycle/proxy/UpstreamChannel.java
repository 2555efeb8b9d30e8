package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Where one attempt talks to the app: a pooled HTTP/1 connection (one attempt at a time) or an HTTP/2 stream.
 * Both speak Netty's HTTP objects: the request head and body go in, the response head and body come out to the
 * attempt. What both share lives here: the attempt bound to the channel, the response body read from it with
 * back-pressure, and who learns of a failure. A sealed base with final methods rather than an interface: the
 * delivery of each response piece is a direct call.
 *
 * <p>Confined to the event loop the attempt runs on.
 */
abstract sealed class UpstreamChannel extends ChannelDuplexHandler permits UpstreamConnection, UpstreamStream {
  private final boolean http1;
  // The state both subclasses share (package-private for them; nothing else in the package touches it).
  ChannelHandlerContext ctx;
  ReadGate gate;
  /** The attempt reading the response, or null once it is done with this channel. */
  Attempt attempt;
  /** The body of the response under way, or null before its head. */
  ChannelBody responseBody;
  /** The response's end was read. */
  boolean responseReceived;

  UpstreamChannel(boolean http1) {
    this.http1 = http1;
  }

  @Override
  public final void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.gate = new ReadGate(ctx.channel());
  }

  /** True for an HTTP/1.1 connection, false for an HTTP/2 stream (which frames bodies itself). */
  final boolean isHttp1() {
    return http1;
  }

  /** Where the request is written. */
  final Channel channel() {
    return ctx.channel();
  }

  /** The attempt that reads the response from now on. */
  void bind(Attempt attempt) {
    this.attempt = attempt;
    responseBody = null;
    responseReceived = false;
  }

  /** The response head arrived: its body is read from this channel from now on. */
  final void responded(Attempt current, HttpResponse head) {
    responseBody = new ChannelBody(gate);
    current.responded(head, responseBody);
  }

  /** Hands a piece of the response body on; true if it was the end. */
  final boolean deliver(Attempt current, HttpContent content) {
    boolean last = content instanceof LastHttpContent && content.decoderResult().isSuccess();
    if (last) {
      // Accounted before delivery: delivering the end may complete the client's response and end the exchange.
      responseReceived = true;
      current.responseReceived();
    }
    responseBody.offer(content);
    return last;
  }

  /** {@code failure} goes to whoever waits for the response: the attempt before its head, its body after. */
  final void failed(Attempt current, ProxyFailure failure) {
    if (responseBody == null) {
      current.failed(failure);
    } else {
      responseBody.fail(failure);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (responseBody != null) {
      responseBody.readComplete();
    }
  }

  @Override
  public final void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && attempt != null) {
      attempt.writable();
    }
  }

  /** The request has been written to its end. */
  abstract void requestSent();

  /**
   * Abandons the exchange: the connection is closed (HTTP/1) or the stream reset (HTTP/2: RST_STREAM CANCEL unless
   * it is closed already), never reused.
   */
  void abort() {
    attempt = null;
    if (responseBody != null && !responseReceived) {
      responseBody.discard();
    }
    ctx.close();
  }

  /** Hands an unused channel back (the attempt gave up before sending anything on it). */
  abstract void giveBack();
}
