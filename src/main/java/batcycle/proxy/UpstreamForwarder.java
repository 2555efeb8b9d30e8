package batcycle.proxy;

import batcycle.config.UpstreamConfig;
import batcycle.headers.HeaderNames;
import batcycle.metrics.ProxyMeters;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;

/**
 * The end of the pipeline: sends each attempt to the app over this event loop's pool (HTTP/1.1 connections, or
 * HTTP/2 streams to an h2c app; WebSocket handshakes always over HTTP/1.1) and completes with the response head.
 */
final class UpstreamForwarder implements Next {
  private final UpstreamConfig config;
  private final ProxyMeters meters;
  private final UpstreamPool http1;
  private final H2UpstreamPool h2;
  private final long responseTimeoutMs;
  private final long connectTimeoutMs;
  private final long idleTimeoutNanos;

  /** {@code h2}: the HTTP/2 pool when the app speaks h2c, else null. */
  UpstreamForwarder(UpstreamConfig config, ProxyMeters meters, UpstreamPool http1, H2UpstreamPool h2) {
    this.config = config;
    this.meters = meters;
    this.http1 = http1;
    this.h2 = h2;
    this.responseTimeoutMs = config.responseTimeout().toMillis();
    this.connectTimeoutMs = config.connectTimeout().toMillis();
    this.idleTimeoutNanos = config.idleTimeout().toNanos();
  }

  @Override
  public Future<UpstreamResponse> proceed(Exchange exchange) {
    return new Attempt(exchange, this).start();
  }

  void acquire(Attempt attempt) {
    if (h2 != null && !attempt.isWebSocket()) {
      h2.acquire(attempt);
    } else {
      http1.acquire(attempt);
    }
  }

  void leave(Attempt attempt) {
    http1.leave(attempt);
    if (h2 != null) {
      h2.leave(attempt);
    }
  }

  /** Writes the request head for the app (not flushed); the future says whether it went out. */
  ChannelFuture sendHead(Exchange exchange, UpstreamChannel upstream) {
    HttpRequest head = exchange.head();
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpHeaders headers = head.headers();
    if (!headers.contains(HeaderNames.HOST)) {
      headers.set(HeaderNames.HOST, config.authority()); // an HTTP/1.0 client may send none; the app needs one
    }
    if (exchange.isWebSocket()) {
      // The upgrade itself is the one hop-by-hop exchange that must reach the app.
      headers.set(HeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET).set(HeaderNames.CONNECTION,
          HttpHeaderValues.UPGRADE);
    } else if (exchange.hasBody() && !headers.contains(HeaderNames.CONTENT_LENGTH) && upstream.isHttp1()) {
      headers.set(HeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return upstream.channel().write(head);
  }

  ProxyMeters meters() {
    return meters;
  }

  long responseTimeoutMs() {
    return responseTimeoutMs;
  }

  long connectTimeoutMs() {
    return connectTimeoutMs;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
  }
}
