package batcycle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.PrometheusText;
import batcycle.testing.RawHttp;
import batcycle.testing.RecordingOrigin;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The values on /metrics after known traffic through a real batcycle. */
class MetricsIT {
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private void start(Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      String path = request.path();
      int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
      request.response().setStatusCode(status).end("x".repeat(10));
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
  }

  /** Waits until every exchange has been recorded (recording happens when the response has been written). */
  private void awaitRecorded(int requests) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_requests_seconds_count")).isEqualTo(requests));
  }

  /** One attempt per request, so attempt counts equal request counts; retries have their own test (RetryIT). */
  private static final Map<Key, String> NO_RETRIES = Map.of(Key.RETRY_MAX_ATTEMPTS, "1");

  @Test
  void countsRequestsByMethodStatusAndOutcome() {
    start(NO_RETRIES);
    for (int i = 0; i < 3; i++) {
      assertThat(proxy.get("/ok").statusCode()).isEqualTo(200);
    }
    assertThat(proxy.get("/status/404").statusCode()).isEqualTo(404);
    assertThat(proxy.get("/status/503").statusCode()).isEqualTo(503);
    assertThat(proxy.send(HttpRequest.newBuilder(proxy.uri("/ok"))
        .POST(HttpRequest.BodyPublishers.ofString("hello")).build()).statusCode()).isEqualTo(200);
    awaitRecorded(6);

    String text = proxy.admin("/metrics").body();
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "method", "GET", "status", "200",
        "outcome", "success")).isEqualTo(3);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "method", "GET", "status", "404",
        "outcome", "client_error")).isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "method", "GET", "status", "503",
        "outcome", "server_error")).isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "method", "POST", "status", "200"))
        .isEqualTo(1);
    // Every request lands in the +Inf bucket and in no bucket below 1 ms... at most all of them.
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_bucket", "le", "+Inf")).isEqualTo(6);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_bucket", "le", "30.0")).isEqualTo(6);
    assertThat(PrometheusText.value(text, "batcycle_request_body_bytes_total")).isEqualTo(5);
    assertThat(PrometheusText.value(text, "batcycle_response_body_bytes_total")).isEqualTo(60);
    assertThat(PrometheusText.value(text, "batcycle_upstream_attempts_seconds_count", "outcome", "success"))
        .isEqualTo(5);
    assertThat(PrometheusText.value(text, "batcycle_upstream_attempts_seconds_count", "outcome", "http_5xx"))
        .isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_overhead_seconds_count")).isEqualTo(6);
    assertThat(PrometheusText.value(text, "batcycle_requests_active")).isZero();
    assertThat(PrometheusText.value(text, "batcycle_upstream_requests_active")).isZero();
    assertThat(PrometheusText.value(text, "batcycle_upstream_connections_max")).isEqualTo(1024); // limits.maxConcurrent
    assertThat(PrometheusText.value(text, "batcycle_upstream_connections_active")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void countsLocalRepliesAndRejectionsByReason() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start());
    int deadPort = origin.port();
    origin.close();
    origin = null;
    proxy.start(ProxyHarness.forUpstream(deadPort).with(NO_RETRIES));
    assertThat(proxy.get("/down").statusCode()).isEqualTo(502);
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      assertThat(raw.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").readResponse().status()).isEqualTo(400);
    }
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(raw.readResponse().status()).isEqualTo(414);
    }
    awaitRecorded(3);

    String text = proxy.admin("/metrics").body();
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "status", "502", "outcome",
        "local_reply")).isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_upstream_attempts_seconds_count", "outcome", "connect_error"))
        .isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_rejected_total", "reason", "bad_request")).isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_rejected_total", "reason", "uri_too_long")).isEqualTo(1);
    // An app failure is not a rejection by batcycle.
    assertThat(PrometheusText.samples(text, "batcycle_rejected_total")).hasSize(2);
  }

  @Test
  void labelsRoutesOnlyFromConfiguredPatterns() {
    start(Map.of(Key.METRICS_ROUTES, "/api/users/*,/api/orders/**"));
    proxy.get("/api/users/1");
    proxy.get("/api/users/2");
    proxy.get("/api/orders/9/items");
    proxy.get("/random/123");
    awaitRecorded(4);

    String text = proxy.admin("/metrics").body();
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "route", "/api/users/*"))
        .isEqualTo(2);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "route", "/api/orders/**"))
        .isEqualTo(1);
    assertThat(PrometheusText.value(text, "batcycle_requests_seconds_count", "route", "other")).isEqualTo(1);
    assertThat(text).doesNotContain("/random/123", "/api/users/1");
  }

  @Test
  void usesTheConfiguredLatencyBuckets() {
    start(Map.of(Key.METRICS_LATENCY_BUCKETS, "5ms,20s"));
    proxy.get("/ok");
    awaitRecorded(1);
    String text = proxy.admin("/metrics").body();
    assertThat(PrometheusText.samples(text, "batcycle_requests_seconds_bucket"))
        .extracting(line -> line.replaceAll(".*le=\"([^\"]+)\".*", "$1"))
        .containsExactly("0.005", "20.0", "+Inf");
  }

  @Test
  void tracksOpenClientConnectionsAndInFlightRequests() throws Exception {
    RecordingOrigin[] self = new RecordingOrigin[1];
    java.util.concurrent.CompletableFuture<Void> release = new java.util.concurrent.CompletableFuture<>();
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      if (request.path().equals("/hold")) {
        release.thenRun(() -> self[0].vertx().runOnContext(v -> request.response().end("late")));
      } else {
        request.response().end("now");
      }
    }));
    self[0] = origin;
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    try (RawHttp first = RawHttp.connect(proxy.port()); RawHttp second = RawHttp.connect(proxy.port())) {
      // Vert.x learns a connection's protocol (HTTP/1.1 or h2c) from its first bytes, and counts it from then on.
      assertThat(second.send("GET /now HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText()).isEqualTo("now");
      first.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(2);
        assertThat(proxy.metric("batcycle_requests_active")).isEqualTo(1);
        assertThat(proxy.metric("batcycle_upstream_requests_active")).isEqualTo(1);
      });
      release.complete(null);
      assertThat(first.readResponse().bodyText()).isEqualTo("late");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_connections_active")).isZero();
      assertThat(proxy.metric("batcycle_requests_active")).isZero();
    });
  }

  @Test
  void publishesJvmProcessAndBuildInfo() {
    start(Map.of());
    String text = proxy.admin("/metrics").body();
    assertThat(PrometheusText.samples(text, "batcycle_build_info")).singleElement()
        .satisfies(line -> assertThat(line).contains("version=\"", "java_version=\"" + Runtime.version()));
    for (String name : new String[] {"jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
        "process_files_open_files", "process_uptime_seconds", "jvm_classes_loaded_classes"}) {
      assertThat(PrometheusText.samples(text, name)).as(name).isNotEmpty();
    }
  }
}
