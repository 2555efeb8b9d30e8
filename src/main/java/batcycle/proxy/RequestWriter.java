package batcycle.proxy;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Streams the request body of one attempt to the app as the same buffers it arrived in, pausing the body while
 * the app's connection cannot take more and flushing once per batch of pieces. Confined to the exchange's loop.
 */
final class RequestWriter implements BodyReceiver {
  private final Attempt attempt;
  private final Body body;
  private final UpstreamChannel upstream;
  private final Channel channel;
  private boolean done;

  RequestWriter(Attempt attempt, Body body, UpstreamChannel upstream) {
    this.attempt = attempt;
    this.body = body;
    this.upstream = upstream;
    this.channel = upstream.channel();
  }

  @Override
  public void data(ByteBuf piece) {
    if (done) {
      piece.release();
      return;
    }
    channel.write(new DefaultHttpContent(piece), channel.voidPromise());
    attempt.activity();
    if (!channel.isWritable()) {
      body.pause(); // resumed by writable()
    }
  }

  @Override
  public void batchEnd() {
    if (!done) {
      channel.flush();
    }
  }

  @Override
  public void end(HttpHeaders trailers) {
    if (done) {
      return;
    }
    done = true;
    LastHttpContent last = trailers.isEmpty() ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    channel.writeAndFlush(last, channel.voidPromise());
    attempt.activity();
    upstream.requestSent();
  }

  @Override
  public void failed(Throwable cause) {
    if (!done) {
      done = true;
      attempt.uploadFailed(cause);
    }
  }

  void writable() {
    if (!done) {
      body.resume();
    }
  }
}
