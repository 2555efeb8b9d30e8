package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.errors.FailureResponder;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.headers.HeaderNames;
import batcycle.headers.HopByHop;
import batcycle.headers.RequestIds;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.Pipeline;
import batcycle.pipeline.UpstreamResponse;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of the proxy: a listener (sharing the port with its siblings), its own pool to the app
 * and its own pipeline. Handles one request from arrival to the last byte of the response.
 */
final class ProxyVerticle extends VerticleBase {
  private final BatcycleConfig config;
  private HttpServer server;
  private HttpClient client;
  private HttpClient tunnelClient;
  private Pipeline pipeline;
  private ResponseRelay relay;
  private WebSocketTunnel tunnel;
  private ForwardedHeadersLayer forwardedHeaders;

  ProxyVerticle(BatcycleConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    client = UpstreamClients.create(vertx, config);
    forwardedHeaders = new ForwardedHeadersLayer(config.headers(), config.upstream());
    pipeline = Pipeline.of(new UpstreamForwarder(vertx, client, config.upstream()), forwardedHeaders);
    relay = new ResponseRelay(config.headers(), config.upstream().idleTimeout().toMillis());
    // An HTTP/1.1 upgrade cannot ride an HTTP/2 connection, so with an h2c app the WebSocket handshakes get an
    // HTTP/1.1 pool of their own (the app's server must then also accept HTTP/1.1, as Vert.x, Netty and Go do).
    tunnelClient = config.upstream().protocol() == UpstreamProtocol.H2C
        ? UpstreamClients.create(vertx, config, UpstreamProtocol.HTTP1) : client;
    tunnel = new WebSocketTunnel(tunnelClient, config.upstream());
    server = vertx.createHttpServer(serverOptions(config))
        .requestHandler(this::handle)
        .invalidRequestHandler(ProxyVerticle::rejectInvalid);
    int port = config.listener().address().port();
    // Port 0 would give every instance its own random port; Vert.x shares one random port among servers that
    // listen on the same negative port.
    return server.listen(port == 0 ? -1 : port, config.listener().address().host());
  }

  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> client.close())
        .eventually(() -> tunnelClient == client ? Future.succeededFuture() : tunnelClient.close());
  }

  static HttpServerOptions serverOptions(BatcycleConfig config) {
    var listener = config.listener();
    return new HttpServerOptions()
        .setMaxHeaderSize(listener.maxHeaderSize())
        .setMaxInitialLineLength(listener.maxRequestLine())
        .setHttp2ClearTextEnabled(true)
        .setInitialSettings(new Http2Settings().setMaxHeaderListSize(listener.maxHeaderSize()))
        .setHandle100ContinueAutomatically(false)
        .setIdleTimeout((int) listener.clientIdleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setCompressionSupported(false);
  }

  private void handle(HttpServerRequest request) {
    request.pause();
    String requestId = RequestIds.keepOrGenerate(request.getHeader(HeaderNames.X_REQUEST_ID));
    RequestTarget.Checked target = RequestTarget.check(request);
    if (target.problem() != null) {
      FailureResponder.send(request, requestId, target.status(), "bad_request", target.problem());
      return;
    }
    MultiMap headers = HttpHeaders.headers().addAll(request.headers());
    boolean webSocket = request.version() == HttpVersion.HTTP_1_1 && request.method() == HttpMethod.GET
        && HopByHop.isWebSocketUpgrade(request.headers());
    HopByHop.strip(headers, true);
    // batcycle answers Expect itself once the app is connected (see UpstreamForwarder), like Envoy does.
    headers.remove(HeaderNames.EXPECT);
    headers.set(HeaderNames.X_REQUEST_ID, requestId);
    if (target.host() != null) {
      headers.set(HeaderNames.HOST, target.host());
    }
    long start = System.nanoTime();
    BodyPeek.of(request, config.upstream().protocol() == UpstreamProtocol.H2C).onComplete(peek -> {
      if (peek.succeeded()) {
        forward(new Exchange(request, requestId, start, target.uri(), headers, peek.result().hasBody(),
            peek.result().firstChunk()), webSocket);
      } // else the client reset the stream before sending anything: there is no one to answer
    });
  }

  private void forward(Exchange exchange, boolean webSocket) {
    HttpServerRequest request = exchange.inbound();
    request.response().closeHandler(v -> exchange.cancel());
    request.exceptionHandler(cause -> exchange.cancel());
    Future<UpstreamResponse> response = webSocket
        ? forwardedHeaders.handle(exchange, tunnel::open)
        : pipeline.handle(exchange);
    String requestId = exchange.requestId();
    response.onComplete(ar -> {
      if (ar.succeeded()) {
        if (ar.result() != null) {
          relay.relay(exchange, ar.result());
        }
      } else if (!exchange.isCancelled()) {
        int status = FailureResponder.respond(request, requestId, ar.cause());
        exchange.end(new Outcome(status, 0, status != 0));
      } else {
        exchange.end(new Outcome(0, 0, false));
      }
    });
  }

  /** Requests Netty could not parse: 414, 431 or 400, a short body, and the connection closed. */
  private static void rejectInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = 400;
    String detail = "malformed request";
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "request line too long";
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      status = 431;
      detail = "request header section too large";
    }
    FailureResponder.send(request, RequestIds.keepOrGenerate(null), status, "bad_request", detail);
  }
}
