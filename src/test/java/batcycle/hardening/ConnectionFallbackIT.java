package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.connection.ClientConnections;
import batcycle.metrics.Metrics;
import batcycle.metrics.ProxyMeters;
import batcycle.testing.Futures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fallback when the listening socket cannot be reached (a Vert.x upgrade renamed its internals): without
 * {@link ClientConnections#watch}, the connection handler alone still counts, caps and times connections, from
 * their first complete head on. A plain Vert.x server stands in for the proxy, with the proxy's h2c setting.
 */
class ConnectionFallbackIT {
  private static final String GET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
  private final Vertx vertx = Vertx.vertx();
  private final Metrics metrics = new Metrics();
  private final AtomicInteger handled = new AtomicInteger();
  private ProxyMeters meters;
  private HttpServer server;

  @BeforeEach
  void start() {
    BatcycleConfig config = BatcycleConfig.defaults().with(Map.of(Key.LIMITS_MAX_CONNECTIONS, "1",
        Key.TIMEOUTS_REQUEST_HEADER, "1s"));
    meters = new ProxyMeters(metrics.registry(), metrics.exemplars(), config.metrics(), 64);
    ClientConnections connections = new ClientConnections(config.listener(), meters);
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .connectionHandler(connections::accept) // and no watch(): the fallback
        .requestHandler(request -> {
          handled.incrementAndGet();
          request.response().end("ok");
        });
    Futures.await(server.listen(0, "127.0.0.1"));
  }

  @AfterEach
  void close() {
    Futures.await(vertx.close());
    metrics.close();
  }

  @Test
  void capsCountsAndTimesFromTheFirstHeadOn() throws Exception {
    try (var admitted = SlowClient.connect(server.actualPort(), READ_TIMEOUT)) {
      assertThat(admitted.send(GET).readResponse().status()).isEqualTo(200);
      assertThat(meters.openConnections()).hasValue(1);

      try (var refused = SlowClient.connect(server.actualPort(), READ_TIMEOUT)) {
        refused.send(GET + GET);
        assertThat(refused.isClosedByPeer(READ_TIMEOUT)).isTrue();
      }
      assertThat(handled).as("the refused connection's requests were never handled").hasValue(1);
      assertThat(meters.openConnections()).hasValue(1);

      // The next head on the admitted connection is timed.
      admitted.send("GET /slow HTTP/1.1\r\n");
      assertThat(admitted.readResponse().status()).isEqualTo(408);
      assertThat(admitted.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    await().untilAsserted(() -> assertThat(meters.openConnections()).hasValue(0));
    assertThat(metrics.registry().get("batcycle.connections.rejected").tag("reason", "max_connections")
        .counter().count()).isEqualTo(1.0);
  }
}
