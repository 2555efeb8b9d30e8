package batcycle.proxy;

import batcycle.config.UpstreamConfig;
import batcycle.headers.HeaderNames;
import batcycle.metrics.ProxyMeters;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.upstream.Endpoint;
import batcycle.upstream.EndpointSet;
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
  private final LoopUpstream upstream;
  private final boolean remote;
  private final long responseTimeoutMs;
  private final long connectTimeoutMs;
  private final long idleTimeoutNanos;

  /** {@code config}: the timeouts (and, for the app, its Host); {@code upstream}: this loop's pools. */
  UpstreamForwarder(UpstreamConfig config, ProxyMeters meters, LoopUpstream upstream) {
    this.config = config;
    this.meters = meters;
    this.upstream = upstream;
    this.remote = upstream.upstream().isRemote();
    this.responseTimeoutMs = config.responseTimeout().toMillis();
    this.connectTimeoutMs = config.connectTimeout().toMillis();
    this.idleTimeoutNanos = config.idleTimeout().toNanos();
  }

  @Override
  public Future<UpstreamResponse> proceed(Exchange exchange) {
    return new Attempt(exchange, this).start();
  }

  void acquire(Attempt attempt) {
    upstream.acquire(attempt);
  }

  void leave(Attempt attempt) {
    upstream.leave(attempt);
  }

  /** True when attempts report to passive health checking (a remote's addresses). */
  boolean tracksHealth() {
    return remote;
  }

  EndpointSet endpoints() {
    return upstream.upstream().endpoints();
  }

  /** Writes the request head for the upstream (not flushed); the future says whether it went out. */
  ChannelFuture sendHead(Exchange exchange, UpstreamChannel upstream, Endpoint endpoint) {
    HttpRequest head = exchange.head();
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpHeaders headers = head.headers();
    if (remote) {
      // A remote answers to its own name, never to the 127.0.0.1:9001 the app called (and per address: one entry's
      // URLs may name different hosts).
      headers.set(HeaderNames.HOST, endpoint.authority());
    } else if (!headers.contains(HeaderNames.HOST)) {
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
