package batcycle.retry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retries through the real proxy against WireMock faults; the app's own request journal counts arrivals exactly.
 * Transient failures are hidden from clients, a request that is not safe to repeat is never sent twice, and an
 * app failing everything sees at most the retry budget's share of extra requests.
 */
class RetryIT {
  private static final Duration BOUND = Duration.ofSeconds(10);

  @RegisterExtension
  static WireMockExtension app = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private ProxyHarness proxy(Map<Key, String> overrides) {
    Map<Key, String> all = new EnumMap<>(Key.class);
    all.put(Key.RETRY_BACKOFF_BASE, "5ms"); // keep the runs short; back-off itself is RetryLayerTest's business
    all.put(Key.RETRY_BACKOFF_MAX, "20ms");
    all.putAll(overrides);
    return proxy.start(ProxyHarness.forUpstream(app::getPort).with(all));
  }

  private ProxyHarness proxy() {
    return proxy(Map.of());
  }

  /** The app fails the first request to {@code path} with {@code fault}, then answers 200 "recovered". */
  private static void failOnceThenSucceed(String path, Fault fault) {
    app.stubFor(any(urlEqualTo(path)).inScenario(path).whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withFault(fault)).willSetStateTo("up"));
    app.stubFor(any(urlEqualTo(path)).inScenario(path).whenScenarioStateIs("up")
        .willReturn(ok("recovered")));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    return proxy.send(request.timeout(Duration.ofSeconds(30)).build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(proxy.uri(path));
  }

  private AccessLogRecord logged(HttpResponse<?> response) {
    String id = response.headers().firstValue("x-request-id").orElseThrow();
    await().atMost(BOUND).until(() -> proxy.accessLog().records().stream().anyMatch(r -> r.requestId().equals(id)));
    return proxy.accessLog().byRequestId(id);
  }

  @Test
  void aGetBehindOneConnectionResetSucceedsAfterExactlyTwoArrivals() {
    failOnceThenSucceed("/orders", Fault.CONNECTION_RESET_BY_PEER);
    proxy();
    HttpResponse<String> response = proxy.get("/orders");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("recovered");
    app.verify(2, getRequestedFor(urlEqualTo("/orders")));

    AccessLogRecord line = logged(response);
    assertThat(line.attempts()).isEqualTo(2);
    assertThat(line.retryReasons()).isEqualTo("reset");
    assertThat(line.flags()).contains("UR");
    assertThat(line.status()).isEqualTo(200);
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retries_total", "reason", "reset")).isEqualTo(1));
    assertThat(proxy.metric("batcycle_upstream_attempts_seconds_count", "outcome", "reset")).isEqualTo(1);
    assertThat(proxy.metric("batcycle_upstream_attempts_seconds_count", "outcome", "success")).isEqualTo(1);
  }

  @Test
  void aPostWithoutIdempotencyKeyBehindAResetArrivesOnceAndTheClientGets502() {
    failOnceThenSucceed("/payments", Fault.CONNECTION_RESET_BY_PEER);
    proxy();
    HttpResponse<String> response = send(request("/payments").POST(HttpRequest.BodyPublishers.ofString("{\"eur\":5}")));
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("x-batcycle-error")).hasValue("upstream_reset");
    app.verify(1, postRequestedFor(urlEqualTo("/payments")));
    assertThat(logged(response).attempts()).isEqualTo(1);
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retry_skipped_total", "reason", "not_idempotent")).isEqualTo(1));
    assertThat(proxy.metric("batcycle_retries_total")).isZero();
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetriedWithTheSameBody() {
    failOnceThenSucceed("/payments", Fault.CONNECTION_RESET_BY_PEER);
    proxy();
    HttpResponse<String> response = send(request("/payments").header("Idempotency-Key", "pay-7")
        .POST(HttpRequest.BodyPublishers.ofString("{\"eur\":5}")));
    assertThat(response.statusCode()).isEqualTo(200);
    List<LoggedRequest> arrivals = app.findAll(postRequestedFor(urlEqualTo("/payments")));
    assertThat(arrivals).hasSize(2);
    assertThat(arrivals).allSatisfy(r -> {
      assertThat(r.getBodyAsString()).isEqualTo("{\"eur\":5}");
      assertThat(r.getHeader("Idempotency-Key")).isEqualTo("pay-7");
    });
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE"})
  void hidesAFailureBeforeTheResponseHeadFromTheClient(Fault fault) {
    failOnceThenSucceed("/flaky", fault);
    proxy();
    HttpResponse<String> response = proxy.get("/flaky");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("recovered");
    app.verify(2, getRequestedFor(urlEqualTo("/flaky")));
  }

  @Test
  void neverRetriesOnceTheResponseHeadWasAccepted() {
    // MALFORMED_RESPONSE_CHUNK sends a 200 head, then garbage: the head was taken as the answer, so the failure
    // comes while relaying it, past the point where another attempt is possible (as with Envoy).
    failOnceThenSucceed("/chunks", Fault.MALFORMED_RESPONSE_CHUNK);
    proxy();
    HttpResponse<String> response = proxy.get("/chunks");
    assertThat(response.statusCode()).isEqualTo(502);
    app.verify(1, getRequestedFor(urlEqualTo("/chunks")));
  }

  @Test
  void retriesAGetPastThePerTryTimeoutThenAnswers504() {
    app.stubFor(get("/slow").willReturn(ok("late").withFixedDelay(2_000)));
    proxy(Map.of(Key.TIMEOUTS_RESPONSE, "300ms", Key.TIMEOUTS_REQUEST, "10s"));
    HttpResponse<String> response = proxy.get("/slow");
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.headers().firstValue("x-batcycle-error")).hasValue("upstream_response_timeout");
    app.verify(3, getRequestedFor(urlEqualTo("/slow")));
    AccessLogRecord line = logged(response);
    assertThat(line.attempts()).isEqualTo(3);
    assertThat(line.retryReasons()).isEqualTo("timeout,timeout");
    assertThat(line.flags()).contains("UT");
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retry_skipped_total", "reason", "attempts_exhausted")).isEqualTo(1));
  }

  @Test
  void waitsForAShortRetryAfterThenRetries() {
    for (String delay : new String[] {"0", "1"}) {
      String path = "/busy-" + delay;
      app.stubFor(get(path).inScenario(path).whenScenarioStateIs(STARTED)
          .willReturn(aResponse().withStatus(503).withHeader("Retry-After", delay)).willSetStateTo("up"));
      app.stubFor(get(path).inScenario(path).whenScenarioStateIs("up").willReturn(ok("ready")));
    }
    proxy();
    HttpResponse<String> immediate = proxy.get("/busy-0");
    assertThat(immediate.statusCode()).isEqualTo(200);
    app.verify(2, getRequestedFor(urlEqualTo("/busy-0")));

    long start = System.nanoTime();
    HttpResponse<String> waited = proxy.get("/busy-1");
    assertThat(waited.statusCode()).isEqualTo(200);
    assertThat(waited.body()).isEqualTo("ready");
    assertThat(System.nanoTime() - start).as("waited the app's Retry-After").isGreaterThanOrEqualTo(1_000_000_000L);
    app.verify(2, getRequestedFor(urlEqualTo("/busy-1")));
    assertThat(logged(waited).retryReasons()).isEqualTo("status");
  }

  @Test
  void passesA503WithALongRetryAfterOnUnchanged() {
    app.stubFor(get("/maintenance").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "120")
        .withBody("back in two minutes")));
    proxy();
    HttpResponse<String> response = proxy.get("/maintenance");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("120");
    assertThat(response.body()).isEqualTo("back in two minutes");
    assertThat(response.headers().firstValue("x-batcycle-error")).isEmpty();
    app.verify(1, getRequestedFor(urlEqualTo("/maintenance")));
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retry_skipped_total", "reason", "retry_after")).isEqualTo(1));
  }

  @Test
  void neverRetriesABodyLargerThanTheReplayBuffer() {
    failOnceThenSucceed("/documents/1", Fault.CONNECTION_RESET_BY_PEER);
    proxy(Map.of(Key.RETRY_MAX_REPLAY_BYTES, "1KiB"));
    HttpResponse<String> response = send(request("/documents/1")
        .PUT(HttpRequest.BodyPublishers.ofString("x".repeat(2048))));
    assertThat(response.statusCode()).isEqualTo(502);
    app.verify(1, putRequestedFor(urlEqualTo("/documents/1")));
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retry_skipped_total", "reason", "not_replayable")).isEqualTo(1));
  }

  @Test
  void replaysABodyUnderTheReplayBuffer() {
    failOnceThenSucceed("/documents/2", Fault.CONNECTION_RESET_BY_PEER);
    proxy(Map.of(Key.RETRY_MAX_REPLAY_BYTES, "4KiB"));
    String body = "y".repeat(3000);
    HttpResponse<String> response = send(request("/documents/2").PUT(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(app.findAll(putRequestedFor(urlEqualTo("/documents/2"))))
        .hasSize(2).allSatisfy(r -> assertThat(r.getBodyAsString()).isEqualTo(body));
  }

  @Test
  void anAppFailingEverythingGetsNoMoreThanTheBudgetOfRetries() {
    app.stubFor(any(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
    // Floor: 1 retry per second over a 30 s window (far longer than the run) = 30; ratio 20 %.
    proxy(Map.of(Key.RETRY_BUDGET_RATIO, "0.2", Key.RETRY_BUDGET_MIN_PER_SECOND, "1",
        Key.RETRY_BUDGET_WINDOW, "30s", Key.BREAKER_ENABLED, "false"));
    int requests = 100;
    int floor = 30;
    for (int i = 0; i < requests; i++) {
      assertThat(proxy.get("/down").statusCode()).isEqualTo(503);
    }
    int arrivals = app.findAll(anyRequestedFor(urlEqualTo("/down"))).size();
    assertThat(arrivals).as("at most 1.2 × requests + the floor, where unlimited retries would make 3 ×")
        .isLessThanOrEqualTo((int) (1.2 * requests) + floor);
    assertThat(arrivals).as("the floor and the share were used").isGreaterThanOrEqualTo(requests + floor);
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_retry_budget_exhausted_total")).isGreaterThan(0);
      assertThat(proxy.metric("batcycle_retries_total", "reason", "status")).isEqualTo(arrivals - requests);
      assertThat(proxy.accessLog().records()).anyMatch(r -> r.flags().contains("URX"));
    });
  }

  @Test
  void retriesAPostAfterConnectionRefusedWhateverItsBody() throws IOException {
    int refused;
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = socket.getLocalPort();
    }
    proxy.start(ProxyHarness.forUpstream(refused)
        .with(Key.RETRY_BACKOFF_BASE, "5ms").with(Key.RETRY_BACKOFF_MAX, "20ms")
        .with(Key.RETRY_MAX_REPLAY_BYTES, "0"));
    HttpResponse<String> response = send(request("/upload")
        .POST(HttpRequest.BodyPublishers.ofString("z".repeat(100_000))));
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("x-batcycle-error")).hasValue("upstream_connect_failure");
    AccessLogRecord line = logged(response);
    assertThat(line.attempts()).isEqualTo(3);
    assertThat(line.retryReasons()).isEqualTo("connect_failure,connect_failure");
    assertThat(line.flags()).contains("UF");
    await().atMost(BOUND).untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retries_total", "reason", "connect_failure")).isEqualTo(2));
  }
}
