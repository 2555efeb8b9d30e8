package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.errors.ResponseFlag;
import batcycle.headers.HeaderNames;
import batcycle.headers.ResponseHeaders;
import batcycle.pipeline.BodyReceiver;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.InterimListener;
import batcycle.pipeline.LoopScheduler;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.Pipeline;
import batcycle.pipeline.Protocol;
import batcycle.pipeline.UpstreamResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.AsyncResult;

/**
 * One exchange as its client sees it: runs the request through the pipeline, then relays the app's response with
 * back-pressure (trailers included) or answers the failure itself, and tells the client's connection once the
 * response is complete. The app's head goes out with its first body piece, so a body that breaks before any byte
 * is still answered with a proper 502 or 504; once a byte is out, a failure can only cut the response short
 * (a truncated body must never look complete). A client that takes none of the response for
 * {@code timeouts.responseSend} while more waits for it loses the response, so it cannot hold the app's connection
 * by reading slowly.
 *
 * <p>Confined to the event loop of the client's connection.
 */
final class ProxyExchange implements BodyReceiver, InterimListener {
  private final Exchange exchange;
  private final ClientStream client;
  private final ChannelBody requestBody;
  private final Pipeline pipeline;
  private final ResponseHeaders responseHeaders;
  private final ClientPace clientPace;
  private UpstreamResponse upstream;
  private HttpResponse pendingHead;
  private int status;
  private long bytesOut;
  private boolean headWritten;
  private boolean closeAfter;
  private boolean done;
  private LoopScheduler.Timer sendTimer;
  private long unsentAtCheck;

  ProxyExchange(Exchange exchange, ClientStream client, ChannelBody requestBody, ProxyLoop loop) {
    this.exchange = exchange;
    this.client = client;
    this.requestBody = requestBody;
    // Taken once: a reload while this exchange runs does not change the settings it finishes with.
    this.pipeline = loop.pipeline();
    this.responseHeaders = loop.responseHeaders();
    this.clientPace = loop.clientPace();
    exchange.interimTo(this);
  }

  void start() {
    pipeline.handle(exchange).onComplete(this::chainDone);
  }

  /** The client's connection or stream closed before the exchange ended. */
  void clientGone() {
    if (done) {
      return;
    }
    requestBody.fail(ProxyFailure.of(FailureKind.CLIENT_ABORT, "the client went away"));
    exchange.cancel();
    if (upstream != null) {
      upstream.abort();
    }
    finish(headWritten ? status : 0, false);
  }

  private void chainDone(AsyncResult<UpstreamResponse> result) {
    if (result.succeeded()) {
      UpstreamResponse response = result.result();
      if (response == null) {
        return; // a WebSocket tunnel took the connection over and ends the exchange itself
      }
      if (done || exchange.isCancelled()) {
        response.abort();
        finish(0, false);
        return;
      }
      relay(response);
    } else if (!done && !exchange.isCancelled()) {
      answer(result.cause());
    } else {
      finish(0, false);
    }
  }

  private void relay(UpstreamResponse response) {
    upstream = response;
    HttpResponse head = response.head();
    status = head.status().code();
    if (status == 101 && response instanceof Attempt upgraded) {
      tunnel(upgraded);
      return;
    }
    responseHeaders.apply(head.headers(), exchange.requestId(), client.protocol());
    frame(head);
    pendingHead = head;
    client.onWritable(this::clientWritable);
    response.body().subscribe(this);
  }

  /**
   * An interim response from the app (103 Early Hints), passed on at once under the same header policy as the final
   * one; never to an HTTP/1.0 client (RFC 9110 §15.2), nor once the final response has begun.
   */
  @Override
  public void interim(HttpResponse head) {
    if (done || headWritten || pendingHead != null || client.protocol() == Protocol.HTTP_1_0 || client.isClosed()) {
      return;
    }
    responseHeaders.apply(head.headers(), exchange.requestId(), client.protocol());
    client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), Unpooled.EMPTY_BUFFER,
        head.headers(), EmptyHttpHeaders.INSTANCE));
  }

  /** Switches both connections to a tunnel; the exchange ends when the client's side closes. */
  private void tunnel(Attempt upgraded) {
    HttpResponse head = upgraded.head();
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    head.headers().set(HeaderNames.X_REQUEST_ID, exchange.requestId());
    TunnelHandler appSide = upgraded.appSide();
    TunnelHandler clientSide = new TunnelHandler(() -> {
      upgraded.release(); // the app's time is the tunnel's lifetime: batcycle's own share stays near zero
      done = true;
      exchange.end(new Outcome(101, 0, true));
    });
    headWritten = true;
    client.switchProtocols(head, clientSide, () -> TunnelHandler.join(clientSide, appSide), () -> {
      upgraded.abort();
      done = true;
      exchange.end(new Outcome(101, 0, false));
    });
  }

  /** The HTTP/1.x framing of the client's response; HTTP/2 frames itself. */
  private void frame(HttpResponse head) {
    Protocol protocol = client.protocol();
    if (protocol == Protocol.HTTP_2) {
      if (exchange.closesConnection()) {
        closeAfter = true; // GOAWAY once this stream is done
      }
      return;
    }
    head.setProtocolVersion(HttpVersion.HTTP_1_1); // RFC 9110 §6.2: our own version, whatever the app spoke
    HttpHeaders headers = head.headers();
    boolean bodyless = exchange.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    if (!bodyless && !headers.contains(HeaderNames.CONTENT_LENGTH)) {
      if (protocol == Protocol.HTTP_1_1) {
        headers.set(HeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        closeAfter = true; // HTTP/1.0 knows no chunks: the body ends with the connection
      }
    }
    if (exchange.closesConnection() || !client.keepAlive()) {
      closeAfter = true;
    }
    if (closeAfter) {
      headers.set(HeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (protocol == Protocol.HTTP_1_0) {
      headers.set(HeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  private void writeHead() {
    if (pendingHead != null) {
      client.write(pendingHead);
      pendingHead = null;
      headWritten = true;
    }
  }

  @Override
  public void data(ByteBuf piece) {
    if (done) {
      piece.release();
      return;
    }
    writeHead();
    bytesOut += piece.readableBytes();
    client.write(new DefaultHttpContent(piece));
    if (!client.isWritable()) {
      upstream.body().pause(); // resumed by the client's writability (see relay)
      waitForClient();
    }
  }

  /** The response waits for the client to take what was written: it has {@code timeouts.responseSend} to take some. */
  private void waitForClient() {
    long timeoutMs = clientPace.responseSendMs();
    if (sendTimer == null && timeoutMs > 0) {
      unsentAtCheck = client.bytesBeforeWritable();
      sendTimer = exchange.loop().schedule(timeoutMs, this::sendCheck);
    }
  }

  private void clientWritable() {
    if (sendTimer != null) {
      sendTimer.cancel();
      sendTimer = null;
    }
    upstream.body().resume();
  }

  private void sendCheck() {
    sendTimer = null;
    if (done) {
      return;
    }
    if (client.isWritable()) {
      upstream.body().resume(); // the client caught up; its writability event is on its way or was missed
      return;
    }
    long unsent = client.bytesBeforeWritable();
    if (unsent < unsentAtCheck) {
      waitForClient(); // it took some, just not enough to be written to again: another period
      return;
    }
    clientPace.responseSendTimedOut();
    exchange.flag(ResponseFlag.CLIENT_TIMEOUT);
    upstream.abort();
    client.reset();
    finish(status, false);
  }

  @Override
  public void batchEnd() {
    if (!done) {
      client.flush();
    }
  }

  @Override
  public void end(HttpHeaders trailers) {
    if (done) {
      return;
    }
    writeHead();
    LastHttpContent last = trailers.isEmpty() ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
    client.writeAndFlush(last).addListener(written -> finish(status, written.isSuccess()));
  }

  @Override
  public void failed(Throwable cause) {
    if (done) {
      return;
    }
    upstream.abort();
    if (exchange.isCancelled() || client.isClosed()) {
      finish(headWritten ? status : 0, false);
      return;
    }
    ProxyFailure failure = UpstreamFailures.exchangeFailure(cause);
    if (!headWritten) {
      // Nothing reached the client yet: answer like any failure before the head. The app's headers no longer
      // describe what is sent.
      pendingHead = null;
      answer(failure);
      return;
    }
    exchange.flag(failure.kind().flag());
    client.reset();
    finish(status, false);
  }

  /** Answers the client itself: the status, a short text naming the request id, and x-batcycle-error. */
  private void answer(Throwable cause) {
    ProxyFailure failure = cause instanceof ProxyFailure known ? known : null;
    LocalReply reply = LocalReply.of(failure, cause, exchange.requestId());
    exchange.flag(ResponseFlag.LOCAL_REPLY);
    if (failure != null) {
      exchange.failure(failure);
    }
    // An unparsable request, or a body still on the wire, makes an HTTP/1 connection unusable: reading on would
    // take leftover bytes for a new request (the essence of request smuggling).
    boolean unusable = client.protocol() != Protocol.HTTP_2
        && (!requestBody.isReceived() || exchange.head().decoderResult().isFailure());
    closeAfter |= unusable || exchange.closesConnection() || !client.keepAlive();
    status = reply.status();
    FullHttpResponse response = reply.response(client.protocol(), closeAfter);
    bytesOut = response.content().readableBytes();
    ChannelFuture written = client.writeAndFlush(response);
    headWritten = true;
    written.addListener(f -> finish(status, f.isSuccess()));
  }

  private void finish(int sentStatus, boolean completed) {
    if (done) {
      return;
    }
    done = true;
    if (sendTimer != null) {
      sendTimer.cancel();
      sendTimer = null;
    }
    if (!requestBody.isFinished()) {
      requestBody.discard();
    }
    exchange.end(new Outcome(sentStatus, bytesOut, completed));
    // An HTTP/1 response cut short leaves the connection unusable; on HTTP/2 only that stream is lost.
    client.exchangeDone(closeAfter || (!completed && client.protocol() != Protocol.HTTP_2));
  }
}
