package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.upstream.TlsOrigination;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * One attempt's HTTP/2 stream to an h2c app, behind Netty's stream-to-HTTP-object codec. A stream the app refused
 * (RST_STREAM REFUSED_STREAM) was not processed at all (RFC 9113 §8.7), so it is as safe to retry as a refused
 * connect; any other reset before the response is complete is a reset.
 *
 * <p>Confined to its connection's event loop.
 */
final class UpstreamStream extends ChannelDuplexHandler implements UpstreamChannel {
  private final H2UpstreamPool pool;
  private final H2UpstreamPool.Connection connection;
  private ChannelHandlerContext ctx;
  private ReadGate gate;
  private Attempt attempt;
  private ChannelBody responseBody;
  private boolean responseReceived;
  private boolean closed;

  UpstreamStream(H2UpstreamPool pool, H2UpstreamPool.Connection connection) {
    this.pool = pool;
    this.connection = connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.gate = new ReadGate(ctx.channel());
  }

  @Override
  public boolean isHttp1() {
    return false;
  }

  @Override
  public Channel channel() {
    return ctx.channel();
  }

  @Override
  public void bind(Attempt attempt) {
    this.attempt = attempt;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Attempt current = attempt;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response && responseBody == null) {
      if (response.status().code() < 200) {
        current.interim((HttpResponse) Http2Messages.head(response)); // 103 goes on; 100 and 102 are dropped
        ReferenceCountUtil.release(msg);
        return;
      }
      responseBody = new ChannelBody(gate);
      current.responded((HttpResponse) Http2Messages.head(response), responseBody);
      if (msg instanceof FullHttpMessage whole) {
        received(current, Http2Messages.end(whole));
      }
    } else if (msg instanceof HttpContent content && responseBody != null) {
      received(current, content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void received(Attempt current, HttpContent content) {
    if (content instanceof LastHttpContent) {
      responseReceived = true;
      current.responseReceived(); // before delivery, which may end the exchange
    }
    responseBody.offer(content);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (responseBody != null) {
      responseBody.readComplete();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset && attempt != null && !responseReceived) {
      fail(reset.errorCode() == Http2Error.REFUSED_STREAM.code()
          ? ProxyFailure.of(FailureKind.STREAM_REFUSED, "the app refused the HTTP/2 stream before processing it")
          : UpstreamFailures.reset(null));
    }
    ReferenceCountUtil.release(evt);
  }

  private void fail(ProxyFailure failure) {
    ProxyFailure refused = ctx.channel().parent().attr(TlsOrigination.REFUSAL).get();
    if (refused != null) {
      failure = refused; // the remote refused the client certificate: the stream's own error only follows from it
    }
    Attempt current = attempt;
    attempt = null;
    if (responseBody == null) {
      current.failed(failure);
    } else {
      responseBody.fail(failure);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closed) {
      closed = true;
      pool.streamClosed(connection);
    }
    if (attempt != null && !responseReceived) {
      fail(attempt.closedFailure());
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && attempt != null) {
      attempt.writable();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (attempt != null && !responseReceived) {
      fail(UpstreamFailures.exchangeFailure(cause));
    }
    ctx.close();
  }

  @Override
  public void requestSent() {
    // The stream ends with the request's END_STREAM and the response's; its close returns the slot.
  }

  @Override
  public void abort() {
    attempt = null;
    if (responseBody != null && !responseReceived) {
      responseBody.discard();
    }
    ctx.close(); // RST_STREAM CANCEL unless the stream is already closed
  }

  @Override
  public void giveBack() {
    attempt = null;
    ctx.close();
  }
}
