package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.upstream.TlsOrigination;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
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
final class UpstreamStream extends UpstreamChannel {
  private final H2UpstreamPool pool;
  private final H2UpstreamPool.Connection connection;
  private boolean closed;

  UpstreamStream(H2UpstreamPool pool, H2UpstreamPool.Connection connection) {
    super(false);
    this.pool = pool;
    this.connection = connection;
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
      responded(current, (HttpResponse) Http2Messages.head(response));
      if (msg instanceof FullHttpMessage whole) {
        deliver(current, Http2Messages.end(whole));
      }
    } else if (msg instanceof HttpContent content && responseBody != null) {
      deliver(current, content);
    } else {
      ReferenceCountUtil.release(msg);
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
    failed(current, failure);
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
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (attempt != null && !responseReceived) {
      fail(UpstreamFailures.exchangeFailure(cause));
    }
    ctx.close();
  }

  @Override
  void requestSent() {
    // The stream ends with the request's END_STREAM and the response's; its close returns the slot.
  }

  @Override
  void giveBack() {
    attempt = null;
    ctx.close();
  }
}
