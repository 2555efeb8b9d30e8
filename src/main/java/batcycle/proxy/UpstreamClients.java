package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.metrics.ProxyMeters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the keep-alive connection pool to the app; one per event loop, so no request hops threads. */
final class UpstreamClients {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClients.class);
  /** Responses from the app may carry large headers (cookies, CSP); this bounds them generously. */
  private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
  /**
   * Largest body piece the HTTP/1.x decoders hand on, in both directions. Vert.x's default of 8 KiB cuts every
   * 64 KiB socket read into eight pieces, each relayed and written separately; the pieces are slices of the read
   * buffer, so a larger bound costs no memory.
   */
  static final int MAX_CHUNK_SIZE = 64 * 1024;

  private UpstreamClients() {}

  static HttpClient create(Vertx vertx, BatcycleConfig config, ProxyMeters meters) {
    return create(vertx, config, config.upstream().protocol(), meters);
  }

  /** A pool speaking {@code protocol}, whatever the configured one (WebSocket upgrades always need HTTP/1.1). */
  static HttpClient create(Vertx vertx, BatcycleConfig config, UpstreamProtocol protocol, ProxyMeters meters) {
    UpstreamConfig upstream = config.upstream();
    int perLoop = Math.max(1, ceilDiv(upstream.maxConnections(), config.listener().eventLoops()));
    HttpClientOptions options = new HttpClientOptions()
        .setName("batcycle-upstream")
        .setConnectTimeout((int) upstream.connectTimeout().toMillis())
        .setKeepAlive(true)
        .setKeepAliveTimeout(seconds(upstream.poolIdleTimeout()))
        .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
        .setMaxInitialLineLength(config.listener().maxRequestLine())
        .setDecompressionSupported(false)
        .setMaxChunkSize(MAX_CHUNK_SIZE)
        .setTcpNoDelay(true);
    if (protocol == UpstreamProtocol.H2C) {
      options.setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false) // prior knowledge: gRPC servers do not speak the upgrade dance
          .setHttp2KeepAliveTimeout(seconds(upstream.poolIdleTimeout()));
    }
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(perLoop).setHttp2MaxSize(perLoop);
    return vertx.httpClientBuilder().with(options).with(pool)
        .withConnectHandler(connection -> {
          if (protocol == UpstreamProtocol.HTTP1) {
            KeepAliveHint.install(connection, seconds(upstream.poolIdleTimeout()));
          }
          // Each failure also fails the request on the connection, which answers and logs it; without a handler
          // here Vert.x logs every reset by the app once more, at ERROR.
          connection.exceptionHandler(cause -> LOG.debug("connection to the app failed: {}", cause.toString()));
          meters.upstreamConnections().incrementAndGet();
          connection.closeHandler(v -> meters.upstreamConnections().decrementAndGet());
        })
        .build();
  }

  /** Vert.x keeps pool idle timeouts in whole seconds; round up so a small value never means "forever". */
  private static int seconds(java.time.Duration d) {
    return (int) Math.max(1, (d.toMillis() + 999) / 1000);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
