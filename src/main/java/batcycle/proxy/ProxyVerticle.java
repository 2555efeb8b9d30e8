package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.connection.ClientConnections;
import batcycle.errors.FailureResponder;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.headers.HeaderNames;
import batcycle.headers.RequestIds;
import batcycle.breaker.CircuitBreakerLayer;
import batcycle.deadline.DeadlineLayer;
import batcycle.limits.ConcurrencyLimitLayer;
import batcycle.limits.RateLimitLayer;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.retry.RetryLayer;
import java.util.ArrayList;
import java.util.List;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.Pipeline;
import batcycle.pipeline.Next;
import batcycle.pipeline.ResponseFlag;
import batcycle.accesslog.AccessLogLayer;
import batcycle.drain.DrainLayer;
import batcycle.startup.StartupGate;
import batcycle.errors.ProxyFailure;
import batcycle.metrics.RequestMetricsLayer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of the proxy: a listener (sharing the port with its siblings), its own pool to the app
 * and its own pipeline. Handles one request from arrival to the last byte of the response.
 */
final class ProxyVerticle extends VerticleBase {
  private final BatcycleConfig config;
  private final ProxyDeps deps;
  private final ClientConnections connections;
  private HttpServer server;
  private HttpClient client;
  private HttpClient tunnelClient;
  private Pipeline pipeline;
  private ResponseRelay relay;

  ProxyVerticle(BatcycleConfig config, ProxyDeps deps, ClientConnections connections) {
    this.config = config;
    this.deps = deps;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    client = UpstreamClients.create(vertx, config, deps.meters());
    // An HTTP/1.1 upgrade cannot ride an HTTP/2 connection, so with an h2c app the WebSocket handshakes get an
    // HTTP/1.1 pool of their own (the app's server must then also accept HTTP/1.1, as Vert.x, Netty and Go do).
    tunnelClient = config.upstream().protocol() == UpstreamProtocol.H2C
        ? UpstreamClients.create(vertx, config, UpstreamProtocol.HTTP1, deps.meters()) : client;
    LoopTimeouts timeouts = new LoopTimeouts((ContextInternal) context);
    UpstreamForwarder forwarder = new UpstreamForwarder(timeouts, client, config.upstream(), deps.meters());
    WebSocketTunnel tunnel = new WebSocketTunnel(tunnelClient, config.upstream(), deps.meters());
    pipeline = standardPipeline(exchange -> exchange.isWebSocket() ? tunnel.open(exchange)
        : forwarder.proceed(exchange));
    relay = new ResponseRelay(config.headers(), config.upstream().idleTimeout().toMillis(),
        config.lifecycle().drainTimeout().toMillis());
    server = vertx.createHttpServer(serverOptions(config))
        .connectionHandler(connections::accept) // connection cap and request-head timeout
        .requestHandler(this::handle)
        // Unparsable requests take the same path: the pipeline rejects them, so they are logged and counted.
        .invalidRequestHandler(this::handle);
    int port = config.listener().address().port();
    // Port 0 would give every instance its own random port; Vert.x shares one random port among servers that
    // listen on the same negative port.
    return server.listen(port == 0 ? -1 : port, config.listener().address().host())
        .compose(connections::watch); // from here on, connections are counted and timed from accept
  }

  /** The layers every request passes through, outermost first; the order is the design, so each says why. */
  private Pipeline standardPipeline(Next terminal) {
    List<Layer> layers = new ArrayList<>();
    // Outermost: the log sees rejections too, and the metrics count everything the log sees.
    layers.add(new AccessLogLayer(config.accessLog(), deps.accessLog(), deps.sensitiveHeaders()));
    layers.add(new RequestMetricsLayer(deps.meters()));
    layers.add(new RequestPreparation(config.observability().startTraces(), config.upstream().protocol()));
    // Counts from arrival, so it bounds the queue wait below too; strips the client's X-Batcycle-Timeout.
    layers.add(new DeadlineLayer(config.deadline()));
    // Before the limits: draining is not overload. It only marks responses to close their connection.
    layers.add(new DrainLayer(deps.drain()));
    // After validation (bad requests are answered at once), before anything that talks to the app.
    layers.add(new StartupGate(vertx, deps.appProbe(), config.lifecycle(), deps.heldAtStartup()));
    if (deps.rateLimiter() != null) {
      layers.add(new RateLimitLayer(deps.rateLimiter()));         // before the limit: refused requests hold no permit
    }
    // Per request, not per attempt: retries of one request share its permit, and the budget bounds their number.
    layers.add(new ConcurrencyLimitLayer(deps.limiter(), config.limits().queueTimeout(), vertx));
    layers.add(new ForwardedHeadersLayer(config.headers(), config.upstream())); // once per request, not per attempt
    // Wraps the breaker: every attempt is recorded by it, and an open circuit is never retried.
    layers.add(new RetryLayer(config.retry(), vertx, deps.retryBudget(), deps.meters().registry()));
    if (config.breaker().enabled()) {
      layers.add(new CircuitBreakerLayer(deps.circuit()));
    }
    return Pipeline.of(terminal, layers.toArray(Layer[]::new));
  }

  Future<Void> shutdown(java.time.Duration timeout) {
    return server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        .setMaxChunkSize(UpstreamClients.MAX_CHUNK_SIZE)
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
    Exchange exchange = new Exchange(request, RequestIds.keepOrGenerate(request.getHeader(HeaderNames.X_REQUEST_ID)),
        System.nanoTime(), System.currentTimeMillis());
    request.response().closeHandler(v -> clientGone(exchange));
    request.exceptionHandler(cause -> clientGone(exchange));
    pipeline.handle(exchange).onComplete(ar -> {
      if (ar.succeeded()) {
        if (ar.result() != null) {
          relay.relay(exchange, ar.result());
        } // else a WebSocket tunnel took the connection over and ends the exchange itself
      } else if (!exchange.isCancelled()) {
        answerFailure(exchange, ar.cause());
      } else {
        exchange.end(new Outcome(0, 0, false));
      }
    });
  }

  /**
   * The client connection or stream closed. An HTTP/2 stream closes as soon as the response is ended, before the
   * future of end() completes and ends the exchange: a response already ended in full is no client disconnect
   * (it flagged every HTTP/2 request DC); if its last bytes do not make it, ResponseRelay sees end() fail.
   */
  private static void clientGone(Exchange exchange) {
    if (!exchange.inbound().response().ended()) {
      exchange.cancel();
    }
  }

  private static void answerFailure(Exchange exchange, Throwable cause) {
    exchange.flag(ResponseFlag.LOCAL_REPLY);
    if (cause instanceof ProxyFailure failure) {
      exchange.failure(failure);
      ResponseFlag flag = ResponseFlag.of(failure);
      if (flag != null) {
        exchange.flag(flag);
      }
    }
    int status = FailureResponder.respond(exchange.inbound(), exchange.requestId(), cause);
    exchange.end(new Outcome(status, exchange.inbound().response().bytesWritten(), status != 0));
  }
}
