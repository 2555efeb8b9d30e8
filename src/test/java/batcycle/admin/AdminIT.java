package batcycle.admin;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin port through real sockets: health, readiness in both probe modes, drain, /config, /metrics. */
class AdminIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final String OPENMETRICS_ACCEPT = "application/openmetrics-text; version=1.0.0";

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private HttpResponse<String> adminRequest(HttpRequest.Builder request, String path) {
    return proxy.send(request.uri(URI.create("http://127.0.0.1:" + proxy.adminPort() + path)).timeout(BOUND)
        .build());
  }

  @Test
  void healthzAnswersOkEvenWhenTheAppIsDown() throws IOException {
    proxy.start(ProxyHarness.forUpstream(closedPort()));

    HttpResponse<String> health = proxy.admin("/healthz");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(health.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
  }

  @Test
  void readyzIsReadyWhenTheAppAcceptsConnections() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    HttpResponse<String> ready = proxy.admin("/readyz");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready: app reachable at 127.0.0.1:" + origin.port() + " (tcp); circuit ");
    assertThat(origin.arrivals()).as("a TCP probe sends no request").isZero();
  }

  @Test
  void readyzIs503NamingTheAppAddressWhenTheAppIsDown() throws IOException {
    int port = closedPort();
    proxy.start(ProxyHarness.forUpstream(port));

    HttpResponse<String> ready = proxy.admin("/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready: app not reachable at 127.0.0.1:" + port + ": ");
  }

  @Test
  void readyzWithAPathAsksTheAppOverHttpAndNeedsAnAnswerBelow500() {
    AtomicInteger status = new AtomicInteger(200);
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) ->
        request.response().setStatusCode(status.get()).end()));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.READINESS_PATH, "/health"));
    String at = " at 127.0.0.1:" + origin.port() + "/health\n";

    HttpResponse<String> up = proxy.admin("/readyz");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body()).startsWith("ready: app answered 200" + at.stripTrailing() + "; circuit ");
    assertThat(origin.last().method()).isEqualTo("GET");
    assertThat(origin.last().uri()).isEqualTo("/health");

    status.set(404); // answering at all, even "not found", means the app is up
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);

    status.set(500);
    HttpResponse<String> failing = proxy.admin("/readyz");
    assertThat(failing.statusCode()).isEqualTo(503);
    assertThat(failing.body()).startsWith("not ready: app answered 500" + at.stripTrailing() + "; circuit ");

    origin.close();
    origin = null;
    HttpResponse<String> down = proxy.admin("/readyz");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).startsWith("not ready: app not reachable" + at.stripTrailing() + ": ");
  }

  @Test
  void readyzGivesUpOnAnAppThatNeverAnswersAfterTheReadinessTimeout() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> { })); // accepts, reads, never answers
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.READINESS_PATH, "/health")
        .with(Key.READINESS_TIMEOUT, "300ms"));

    HttpResponse<String> ready = proxy.admin("/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready: app not reachable at 127.0.0.1:" + origin.port() + "/health: ");
  }

  @Test
  void readyzIs503WhileDrainingThoughTheAppIsUp() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);

    assertThat(proxy.drain().begin()).isTrue();

    HttpResponse<String> ready = proxy.admin("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).isEqualTo("not ready: draining for shutdown\n");
    assertThat(proxy.admin("/healthz").statusCode()).as("alive while draining").isEqualTo(200);
  }

  @Test
  void configListsEveryKeyWithItsValueAndSource() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.ACCESS_LOG_SAMPLE_SUCCESS, "0.25"));

    HttpResponse<String> response = proxy.admin("/config");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject keys = new JsonObject(response.body()).getJsonObject("keys");
    for (Key key : Key.values()) {
      JsonObject entry = keys.getJsonObject(key.path());
      assertThat(entry).as(key.path()).isNotNull();
      assertThat(entry.getString("value")).as(key.path()).isNotNull();
      assertThat(entry.getString("source")).as(key.path()).isNotBlank();
    }
    assertThat(keys.fieldNames()).hasSize(Key.values().length);
    assertThat(keys.getJsonObject("accessLog.sampleSuccess").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("value", "0.25", "source", "flag --access-log-sample-success"));
    assertThat(keys.getJsonObject("upstream").getString("value")).isEqualTo("http://127.0.0.1:" + origin.port());
    assertThat(keys.getJsonObject("readiness.timeout").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("value", "1s", "source", "default"));
    assertThat(new JsonObject(response.body()).getInteger("eventLoops")).isEqualTo(2);
  }

  @Test
  void configRedactsUserinfoInTheUpstreamUrlWhichStillWorks() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(Key.UPSTREAM, "http://user:secret@127.0.0.1:" + origin.port()));

    HttpResponse<String> proxied = proxy.get("/through");
    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(origin.last().uri()).isEqualTo("/through");
    assertThat(origin.last().header("authorization")).as("userinfo is never sent as credentials").isNull();

    String config = proxy.admin("/config").body();
    JsonObject upstream = new JsonObject(config).getJsonObject("keys").getJsonObject("upstream");
    assertThat(upstream.getString("value")).isEqualTo("http://[redacted]@127.0.0.1:" + origin.port());
    // The key accessLog.secretHeaders is the only place the word may appear.
    assertThat(config.replace("accessLog.secretHeaders", "")).doesNotContain("secret");
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsArePrometheusTextByDefault() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    HttpResponse<String> metrics = proxy.admin("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).contains("# TYPE batcycle_build_info gauge\n", "\nbatcycle_build_info{")
        .doesNotContain("# EOF");
  }

  @Test
  void metricsAreOpenMetricsWhenTheScraperAsks() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    HttpResponse<String> metrics = adminRequest(HttpRequest.newBuilder().header("Accept", OPENMETRICS_ACCEPT),
        "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElseThrow())
        .startsWith("application/openmetrics-text; version=1.0.0");
    // OpenMetrics knows the info type: the family is batcycle_build, its sample batcycle_build_info.
    assertThat(metrics.body()).contains("# TYPE batcycle_build info\n", "\nbatcycle_build_info{")
        .endsWith("# EOF\n");
  }

  @Test
  void theStatusPagesFirstPaintClaimsNothingBeforeDataHasArrived() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    var page = proxy.admin("/");
    assertThat(page.statusCode()).isEqualTo(200);
    // What a browser shows before its script has fetched /stats.json: no "No failed requests" yet.
    assertThat(page.body()).contains("Waiting for data").doesNotContain("No failed requests");
  }

  @Test
  void unknownAdminPathIs404AndPostIs405() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    assertThat(proxy.admin("/nope").statusCode()).isEqualTo(404);
    HttpResponse<String> post = adminRequest(HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString("x")),
        "/metrics");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
  }

  @Test
  void adminAndProxyPortsNeverServeEachOthersPaths() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) ->
        request.response().end("app:" + request.path())));
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    assertThat(proxy.admin("/orders").statusCode()).isEqualTo(404);
    assertThat(origin.arrivals()).as("the admin port forwards nothing to the app").isZero();

    for (String path : new String[] {"/metrics", "/healthz", "/readyz", "/config"}) {
      HttpResponse<String> response = proxy.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isEqualTo("app:" + path);
    }
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri)
        .containsExactly("/metrics", "/healthz", "/readyz", "/config");
  }

  @Test
  void readyzIgnoresTheAppWhenToldNotToCheckIt() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    int port = origin.port();
    origin.close();
    origin = null;
    proxy.start(ProxyHarness.forUpstream(port).with(Key.READINESS_CHECK_APP, "false"));
    var ready = proxy.admin("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready: app not reachable at 127.0.0.1:" + port);
  }
}
