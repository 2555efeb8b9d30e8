package batcycle.proxy;

import batcycle.config.UpstreamConfig;
import batcycle.errors.ProxyFailure;
import batcycle.headers.HeaderNames;
import batcycle.metrics.ProxyMeters;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tunnels a WebSocket upgrade: the handshake goes to the app, and once it answers 101 the two connections are
 * piped both ways as raw bytes with back-pressure; either side closing closes the other. Any other answer is
 * relayed as an ordinary response.
 */
final class WebSocketTunnel {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTunnel.class);
  private final HttpClient client;
  private final UpstreamConfig config;
  private final SocketAddress address;

  private final ProxyMeters meters;

  WebSocketTunnel(HttpClient client, UpstreamConfig config, ProxyMeters meters) {
    this.meters = meters;
    this.client = client;
    this.config = config;
    this.address = SocketAddress.inetSocketAddress(config.port(), config.host());
  }

  /** Completes with the app's non-101 response for the caller to relay, or with null once the tunnel is up. */
  Future<UpstreamResponse> open(Exchange exchange) {
    Attempt attempt = Attempt.begin(exchange, meters);
    RequestOptions options = new RequestOptions().setServer(address).setMethod(exchange.method())
        .setURI(exchange.uri());
    return client.request(options)
        .recover(cause -> failed(attempt, UpstreamFailures.connectFailure(cause, config.connectTimeout().toMillis())))
        .compose(request -> {
          UpstreamForwarder.copyHeaders(exchange, request, config);
          // The upgrade itself is the one hop-by-hop exchange that must reach the app.
          request.headers().set(HeaderNames.UPGRADE, "websocket").set(HeaderNames.CONNECTION, "Upgrade");
          exchange.onCancel(request::reset);
          // Vert.x reports the end of the tunnelled connection ("Connection was closed") to this handshake request
          // and, with no handler, logs it at ERROR on every WebSocket close. Real failures before the 101 fail
          // connect() below; after it, a close is the tunnel's normal end.
          request.exceptionHandler(cause -> LOG.debug("request {}: WebSocket upstream connection ended: {}",
              exchange.requestId(), cause.toString()));
          return request.connect().recover(cause -> failed(attempt,
              UpstreamFailures.exchangeFailure(cause, config.idleTimeout().toMillis())));
        })
        .compose(response -> {
          attempt.responded(response.statusCode());
          if (response.statusCode() != 101) {
            response.pause();
            return Future.succeededFuture(new UpstreamResponse(response.statusCode(), response.statusMessage(),
                response.headers(), response, response::trailers, attempt::release, () -> {
                  response.request().reset();
                  attempt.release();
                }));
          }
          return splice(exchange, response, attempt).map(v -> null);
        });
  }

  private static <T> Future<T> failed(Attempt attempt, ProxyFailure failure) {
    attempt.failed(failure);
    return Future.failedFuture(failure);
  }

  private static Future<Void> splice(Exchange exchange, HttpClientResponse upgraded, Attempt attempt) {
    HttpServerResponse out = exchange.inbound().response();
    out.setStatusCode(101);
    out.headers().addAll(upgraded.headers());
    out.headers().set(HeaderNames.X_REQUEST_ID, exchange.requestId());
    NetSocket app = upgraded.netSocket();
    return exchange.inbound().toNetSocket().onComplete(ar -> {
      if (ar.failed()) {
        app.close();
        attempt.release();
        exchange.end(new Outcome(101, 0, false));
        return;
      }
      NetSocket client = ar.result();
      client.pipeTo(app).onComplete(done -> app.close());
      app.pipeTo(client).onComplete(done -> client.close());
      client.closeHandler(v -> {
        app.close();
        attempt.release(); // the app's time is the tunnel's lifetime: batcycle's own share stays near zero
        exchange.end(new Outcome(101, 0, true));
      });
    }).mapEmpty();
  }
}
