package batcycle.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.BatcycleConfig;
import batcycle.config.BuildInfo;
import batcycle.config.Key;
import batcycle.lifecycle.Batcycle;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /stats.json} and the status page's files through real sockets, with exact counts after known traffic. */
class StatusStatsIT {
  private static final Duration BOUND = Duration.ofSeconds(15);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  /** Answers 500 to paths under /fail, 200 otherwise. */
  private static RecordingOrigin failingOrigin() {
    return RecordingOrigin.start((request, body) ->
        request.response().setStatusCode(request.path().startsWith("/fail") ? 500 : 200).end("x"));
  }

  private JsonObject stats() {
    HttpResponse<String> response = proxy.admin("/stats.json");
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  @Test
  void outboundCallsHaveARowOfTheirOwnAndTheHeadlineNumbersStayTheApps() {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.OUTBOUND, "payments=127.0.0.1:0=http://127.0.0.1:"
        + origin.port()).with(Key.RETRY_MAX_ATTEMPTS, "1"));
    for (int i = 0; i < 2; i++) {
      assertThat(proxy.get("/ok/" + i).statusCode()).isEqualTo(200);
    }
    assertThat(proxy.outbound("payments", "/ok").statusCode()).isEqualTo(200);
    assertThat(proxy.outbound("payments", "/ok").statusCode()).isEqualTo(200);
    assertThat(proxy.outbound("payments", "/fail").statusCode()).isEqualTo(500);

    await().atMost(BOUND).until(() -> stats().getJsonArray("outbound").getJsonObject(0).getLong("requests") == 3);
    JsonObject stats = stats();
    assertThat(stats.getJsonObject("totals").getLong("requests")).as("the app's traffic only").isEqualTo(2);
    JsonObject payments = stats.getJsonArray("outbound").getJsonObject(0);
    assertThat(payments.getString("name")).isEqualTo("payments");
    assertThat(payments.getString("upstream")).isEqualTo("http://127.0.0.1:" + origin.port());
    assertThat(payments.getString("circuit")).isEqualTo("closed");
    assertThat(payments.getLong("healthy")).isEqualTo(1);
    assertThat(payments.getLong("ejected")).isZero();
    assertThat(payments.getLong("inFlight")).isZero();
    JsonArray failed = stats.getJsonObject("failures").getJsonArray("items");
    assertThat(failed.size()).isEqualTo(1);
    assertThat(failed.getJsonObject(0).getString("outbound")).isEqualTo("payments");
  }

  @Test
  void countsKnownTrafficExactly() throws Exception {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    long began = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      assertThat(proxy.get("/ok/" + i).statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(proxy.get("/fail/" + i).statusCode()).isEqualTo(500);
    }
    try (RawHttp raw = RawHttp.connect(proxy.port())) { // two Host lines: batcycle answers 400 itself
      assertThat(raw.send("GET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").readResponse().status()).isEqualTo(400);
    }

    await().atMost(BOUND).until(() -> stats().getJsonObject("totals").getLong("requests") == 13);
    JsonObject stats = stats();
    boolean quick = Duration.ofNanos(System.nanoTime() - began).compareTo(StatusStats.RECENT.minusSeconds(1)) < 0;

    JsonObject totals = stats.getJsonObject("totals");
    assertThat(totals.getLong("errors")).isEqualTo(4);
    assertThat(totals.getDouble("errorRatio")).isEqualTo(4.0 / 13);
    assertThat(totals.getJsonObject("byClass").getMap())
        .containsAllEntriesOf(Map.of("2xx", 8, "4xx", 1, "5xx", 4, "none", 0, "1xx", 0, "3xx", 0));
    assertThat(totals.getJsonObject("byOutcome").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("success", 8, "server_error", 4, "local_reply", 1));
    JsonObject recent = stats.getJsonObject("recent");
    if (quick) { // all of it happened within the recent window
      assertThat(recent.getLong("requests")).isEqualTo(13);
      assertThat(recent.getLong("errors")).isEqualTo(4);
      assertThat(recent.getDouble("errorRatio")).isEqualTo(4.0 / 13);
    }
    assertThat(recent.getDouble("rate")).isPositive();
    assertThat(recent.getDouble("p50Ms")).isPositive();
    assertThat(recent.getDouble("p99Ms")).isGreaterThanOrEqualTo(recent.getDouble("p50Ms"))
        .isLessThanOrEqualTo(stats.getDouble("latencyCapMs"));

    JsonArray failures = stats.getJsonObject("failures").getJsonArray("items");
    assertThat(stats.getJsonObject("failures").getLong("total")).isEqualTo(5);
    assertThat(failures).hasSize(5);
    // A request's record is taken when its exchange ends, a moment after its response reached the client, so
    // a request and the next one sent on receipt can swap places: check the order of the 500s among themselves.
    JsonObject bad = failures.stream().map(o -> (JsonObject) o).filter(o -> "/bad".equals(o.getString("path")))
        .findFirst().orElseThrow();
    assertThat(bad.getInteger("status")).isEqualTo(400);
    assertThat(bad.getString("flags")).contains("DPE", "LR");
    assertThat(bad.getString("method")).isEqualTo("GET");
    assertThat(bad.getString("requestId")).isNotBlank();
    var fails = failures.stream().map(o -> (JsonObject) o).filter(o -> !"/bad".equals(o.getString("path")))
        .toList();
    assertThat(fails).extracting(o -> o.getString("path")).containsExactly("/fail/3", "/fail/2", "/fail/1", "/fail/0");
    assertThat(fails).extracting(o -> o.getInteger("status")).containsOnly(500);
    assertThat(fails.get(0).getString("requestId"))
        .isEqualTo(proxy.accessLog().records().stream().filter(r -> r.path().equals("/fail/3")).findFirst()
            .orElseThrow().requestId());

    assertThat(stats.getJsonObject("shed").getLong("total")).isEqualTo(1);
    assertThat(stats.getJsonObject("shed").getJsonObject("byReason").getMap()).containsEntry("bad_request", 1);
    JsonObject inFlight = stats.getJsonObject("inFlight");
    assertThat(inFlight.getLong("requests")).isZero();
    assertThat(inFlight.getLong("upstreamConnectionsMax")).isEqualTo(1024); // follows limits.maxConcurrent
    JsonObject retries = stats.getJsonObject("retries");
    if (retries != null) { // only when this build has retry meters
      assertThat(retries.getLong("requests")).isEqualTo(13);
    }
  }

  @Test
  void describesTheProcessTheAppAndTheConfiguration() {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.TIMEOUTS_CONNECT, "750ms"));

    JsonObject stats = stats();

    assertThat(stats.getString("version")).isEqualTo(BuildInfo.version());
    assertThat(stats.getString("java")).isEqualTo(Runtime.version().toString());
    assertThat(stats.getLong("uptimeSeconds")).isNotNegative();
    assertThat(stats.getLong("startedAt")).isLessThanOrEqualTo(stats.getLong("now"));
    JsonObject health = stats.getJsonObject("health");
    assertThat(health.getBoolean("ready")).isTrue();
    assertThat(health.getString("detail")).startsWith("app reachable at 127.0.0.1:" + origin.port() + " (tcp); circuit ");
    JsonObject config = stats.getJsonObject("config");
    assertThat(config.getString("listen")).isEqualTo("127.0.0.1:0");
    assertThat(config.getString("upstream")).isEqualTo("http://127.0.0.1:" + origin.port());
    assertThat(config.getString("protocol")).isEqualTo("http1");
    assertThat(config.getJsonObject("timeouts").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("connect", "750ms", "response", "1m", "upstreamIdle", "1m",
            "clientIdle", "1m"));
    assertThat(config.getJsonArray("changed").stream().map(o -> ((JsonObject) o).getString("key")))
        .contains("timeouts.connect", "listen", "upstream");
  }

  @Test
  void isSensibleBeforeAnyTraffic() {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    JsonObject stats = stats();

    assertThat(stats.getJsonObject("totals").getLong("requests")).isZero();
    assertThat(stats.getJsonObject("totals").getValue("errorRatio")).isNull();
    assertThat(stats.getJsonObject("recent").getDouble("rate")).isZero();
    assertThat(stats.getJsonObject("recent").getValue("errorRatio")).isNull();
    assertThat(stats.getJsonObject("recent").getValue("p50Ms")).isNull();
    assertThat(stats.getJsonObject("recent").getValue("p99Ms")).isNull();
    assertThat(stats.getJsonObject("failures").getJsonArray("items")).isEmpty();
    assertThat(stats.getJsonObject("shed").getLong("total")).isZero();
    assertThat(stats.getJsonObject("series").getInteger("stepSeconds")).isEqualTo(TrafficHistory.STEP_SECONDS);
  }

  @Test
  void upstreamDownShowsNotReadyWithTheReason() throws Exception {
    origin = failingOrigin();
    int port = origin.port();
    origin.close();
    origin = null;
    proxy.start(ProxyHarness.forUpstream(port));

    assertThat(proxy.get("/x").statusCode()).isEqualTo(502);
    await().atMost(BOUND).until(() -> stats().getJsonObject("failures").getJsonArray("items").size() == 1);

    JsonObject stats = stats();
    assertThat(stats.getJsonObject("health").getBoolean("ready")).isFalse();
    assertThat(stats.getJsonObject("health").getString("detail")).startsWith("app not reachable at 127.0.0.1:" + port);
    JsonObject failure = stats.getJsonObject("failures").getJsonArray("items").getJsonObject(0);
    assertThat(failure.getInteger("status")).isEqualTo(502);
    assertThat(failure.getString("flags")).isEqualTo("UF,LR");
  }

  @Test
  void failedRequestsAreListedEvenWithTheRequestLogOff() throws Exception {
    origin = failingOrigin();
    BatcycleConfig config = BatcycleConfig.defaults().with(Map.of(Key.LISTEN, "127.0.0.1:0",
        Key.ADMIN, "127.0.0.1:0", Key.UPSTREAM, "http://127.0.0.1:" + origin.port(), Key.EVENT_LOOPS, "1",
        Key.ACCESS_LOG_ENABLED, "false", Key.STARTUP_HOLD_TIMEOUT, "0"));
    Batcycle running = Futures.await(Batcycle.start(config));
    try {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> failed = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + running.proxyPort() + "/fail/unlogged")).timeout(BOUND).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(failed.statusCode()).isEqualTo(500);
      HttpRequest statsRequest = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + running.adminPort() + "/stats.json")).timeout(BOUND).build();

      await().atMost(BOUND).untilAsserted(() -> {
        JsonObject stats = new JsonObject(client.send(statsRequest, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(stats.getJsonObject("failures").getJsonArray("items")).singleElement()
            .satisfies(item -> assertThat(((JsonObject) item).getString("path")).isEqualTo("/fail/unlogged"));
        assertThat(stats.getJsonObject("config").getString("accessLog")).isEqualTo("off");
      });
    } finally {
      Futures.await(running.close());
    }
  }

  @Test
  void aPathWithMarkupIsJsonDataNeverHtml() throws Exception {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("GET /fail/<script>alert(1)</script> HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(raw.readResponse().status()).isEqualTo(500);
    }
    await().atMost(BOUND).until(() -> !stats().getJsonObject("failures").getJsonArray("items").isEmpty());

    HttpResponse<String> response = proxy.admin("/stats.json");

    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(new JsonObject(response.body()).getJsonObject("failures").getJsonArray("items").getJsonObject(0)
        .getString("path")).isEqualTo("/fail/<script>alert(1)</script>");
  }

  @Test
  void servesTheSelfContainedPageWithAStrictContentSecurityPolicy() {
    origin = failingOrigin();
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    HttpResponse<String> page = proxy.admin("/");
    HttpResponse<String> script = proxy.admin("/status.js");
    HttpResponse<String> style = proxy.admin("/status.css");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'")
        .doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.body()).contains("<script src=\"status.js\" defer></script>", "href=\"status.css\"")
        .doesNotContain("src=\"http", "href=\"http", "//cdn", "@import");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("fetch('stats.json'").doesNotContain("innerHTML", "eval(", "document.write");
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
    assertThat(style.body()).doesNotContain("url(", "@import");
    assertThat(page.body().length() + script.body().length() + style.body().length())
        .as("a few KiB").isLessThan(32 * 1024);
  }
}
