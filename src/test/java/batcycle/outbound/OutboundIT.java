package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The app calls a remote through its outbound listener, plain HTTP: what the remote gets, and what is recorded. */
class OutboundIT {
  private final RecordingOrigin app = RecordingOrigin.start((request, body) -> request.response().end("app"));
  private final RecordingOrigin remote = RecordingOrigin.start((request, body) -> request.response()
      .putHeader("x-remote", "yes").end("remote " + request.method() + " " + request.uri()));
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  {
    proxy.closesAfter(app);
    proxy.closesAfter(remote);
  }

  @Test
  void forwardsTheAppsCallToTheRemoteUnderTheRemotesOwnHostName() {
    proxy.start(ProxyHarness.forUpstream(app.port())
        .with(Key.OUTBOUND, "payments=127.0.0.1:0=http://localhost:" + remote.port()));

    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + proxy.outboundPort("payments") + "/charge?id=7"))
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .POST(HttpRequest.BodyPublishers.ofString("amount=5")).build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("remote POST /charge?id=7");
    assertThat(response.headers().firstValue("x-remote")).contains("yes");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    RecordingOrigin.Received received = remote.last();
    assertThat(received.header("host")).as("the remote's name, not 127.0.0.1:9001")
        .isEqualTo("localhost:" + remote.port());
    assertThat(received.body().toString()).isEqualTo("amount=5");
    assertThat(received.header("x-forwarded-for")).as("the pod's loopback is nobody's business").isNull();
    assertThat(received.header("traceparent")).as("tracing off: the app's trace passes unchanged")
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(app.received()).as("nothing went to the app").isEmpty();

    AccessLogRecord line = await().until(() -> proxy.accessLog().records().stream()
        .filter(r -> "outbound".equals(r.direction())).findFirst(), java.util.Optional::isPresent).orElseThrow();
    assertThat(line.upstream()).isEqualTo("payments");
    assertThat(line.upstreamHost()).isEqualTo("127.0.0.1:" + remote.port());
    assertThat(line.status()).isEqualTo(200);
    assertThat(line.path()).isEqualTo("/charge");
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_requests_seconds_count", "direction", "outbound",
        "upstream", "payments", "outcome", "success")).isEqualTo(1.0));
    // The inbound path served nothing: its timer series appear with its first request.
    assertThat(proxy.metricOrZero("batcycle_requests_seconds_count", "direction", "inbound")).isZero();
  }

  @Test
  void aRemoteThatIsDownFailsItsOwnCallsOnlyNeverTheInboundPathOrAnotherRemote() throws Exception {
    int dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = socket.getLocalPort();
    }
    proxy.start(ProxyHarness.forUpstream(app.port())
        .with(Key.OUTBOUND, "down=127.0.0.1:0=http://127.0.0.1:" + dead
            + ",up=127.0.0.1:0=http://127.0.0.1:" + remote.port())
        .with(Key.RETRY_MAX_ATTEMPTS, "2"));

    HttpResponse<String> failed = proxy.outbound("down", "/x");
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.headers().firstValue("x-batcycle-error")).contains("upstream_connect_failure");
    assertThat(proxy.outbound("up", "/y").statusCode()).isEqualTo(200);
    assertThat(proxy.get("/z").body()).isEqualTo("app");

    await().untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_upstream_attempts_seconds_count", "upstream", "down", "outcome",
          "connect_error")).isEqualTo(2.0);
      assertThat(proxy.metric("batcycle_retries_total", "upstream", "down")).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_retries_total", "upstream", "up")).isZero();
      assertThat(proxy.metric("batcycle_retries_total", "direction", "inbound")).isZero();
    });
  }

  @Test
  void theAppsHostIsReplacedByAConfiguredOneAndViaIsAddedWhenAsked() {
    proxy.start(ProxyHarness.forUpstream(app.port()).yaml("""
        outbound:
          - name: api
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%d
            headers: {host: api.example.com, via: true}
        """.formatted(remote.port())));

    assertThat(proxy.outbound("api", "/v1").statusCode()).isEqualTo(200);
    assertThat(remote.last().header("host")).isEqualTo("api.example.com");
    assertThat(remote.last().header("via")).isEqualTo("1.1 batcycle");

    var config = new io.vertx.core.json.JsonObject(proxy.admin("/config").body());
    var entry = config.getJsonArray("outbound").getJsonObject(0);
    assertThat(entry.getString("name")).isEqualTo("api");
    assertThat(entry.getJsonArray("upstream").getString(0)).isEqualTo("http://127.0.0.1:" + remote.port());
    assertThat(entry.getJsonObject("keys").getJsonObject("headers.host").getString("value"))
        .isEqualTo("api.example.com");
  }

  @Test
  void aCaFileThatIsNotPemStopsTheStartWithTheEntrysKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path notPem = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    var config = batcycle.config.BatcycleConfig.defaults().with(Map.of(Key.LISTEN, "127.0.0.1:0",
        Key.ADMIN, "127.0.0.1:0", Key.STARTUP_WARMUP, "0", Key.OUTBOUND, "secure=127.0.0.1:0=https://localhost:1",
        Key.OUTBOUND_TLS_CA_FILE, notPem.toString()));

    var started = batcycle.lifecycle.Batcycle.start(config).toCompletionStage().toCompletableFuture();
    var failure = org.assertj.core.api.Assertions.catchThrowable(() -> started.get(30,
        java.util.concurrent.TimeUnit.SECONDS));

    assertThat(failure).hasCauseInstanceOf(batcycle.config.ConfigException.class);
    assertThat(failure.getCause().getMessage()).startsWith("outbound[secure].tls.caFile: '" + notPem
        + "' cannot be used (");
  }

  @Test
  void outboundListenersCloseAfterTheInboundOneWhenTheAppHasStopped() {
    proxy.start(ProxyHarness.forUpstream(app.port())
        .with(Key.OUTBOUND, "r=127.0.0.1:0=http://127.0.0.1:" + remote.port())
        .with(Key.DRAIN_DELAY, "0s").with(Key.DRAIN_TIMEOUT, "3s"));
    int outboundPort = proxy.outboundPort("r");

    var drained = proxy.batcycle().drainAndClose("test");
    // The inbound listener closes at once (no delay); the app still listens, so the outbound one serves on.
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(refused(proxy.port())).isTrue());
    assertThat(proxy.outbound("r", "/still").statusCode()).isEqualTo(200);
    app.close(); // the app stops: now the outbound listener may close
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(refused(outboundPort)).isTrue());
    batcycle.testing.Futures.await(drained);
  }

  private static boolean refused(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }
}
