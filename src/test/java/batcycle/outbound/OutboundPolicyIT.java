package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The inbound side's policies, per remote: retries with their budget and Idempotency-Key, the breaker, timeouts,
 * concurrency limits and tracing each follow the entry's own settings, and one remote's trouble stays its own.
 */
class OutboundPolicyIT {
  /** Per path: how many of the first requests fail with 503. */
  private final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();
  private final RecordingOrigin app = RecordingOrigin.start((request, body) -> request.response().end("app"));
  private final java.util.Queue<io.vertx.core.http.HttpServerResponse> held =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final RecordingOrigin remote = RecordingOrigin.start((request, body) -> {
    if (request.path().startsWith("/hold")) {
      held.add(request.response()); // answered when the test releases it
      return;
    }
    if (request.path().startsWith("/slow")) {
      request.response().setChunked(true);
      app.vertx().setTimer(1500, id -> request.response().end("slow"));
      return;
    }
    AtomicInteger left = failFirst.get(request.path());
    if (left != null && left.getAndDecrement() > 0) {
      request.response().setStatusCode(503).end("busy");
    } else {
      request.response().end("ok " + request.getHeader("traceparent"));
    }
  });
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(app::port).thenClose(remote).thenClose(app).yaml("""
        outbound:
          - name: retrying
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            retry: {maxAttempts: 3, backoffBase: 1ms}
          - name: noretry
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            retry: {maxAttempts: 1}
          - name: tight
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            retry: {budgetRatio: 0, budgetMinPerSecond: 0, backoffBase: 1ms}
          - name: fragile
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            retry: {maxAttempts: 1}
            breaker: {minimumCalls: 2, failureRate: 50, openDuration: 1h}
          - name: quick
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            retry: {maxAttempts: 1}
            timeouts: {response: 300ms}
          - name: narrow
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            limits: {maxConcurrent: 1, queueSize: 0}
          - name: traced
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%1$d
            tracing: {startTraces: true}
        """.formatted(remote.port())).build();

  @Test
  void eachRemoteRetriesAsItsOwnSettingsSay() {
    failFirst.put("/a", new AtomicInteger(1));
    failFirst.put("/b", new AtomicInteger(1));

    assertThat(proxy.outbound("noretry", "/a").statusCode()).isEqualTo(503);
    assertThat(proxy.outbound("retrying", "/b").statusCode()).isEqualTo(200);

    await().untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_retries_total", "upstream", "retrying")).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_retries_total", "upstream", "noretry")).isZero();
    });
  }

  @Test
  void aPostIsRetriedOnlyWithAnIdempotencyKey() {
    failFirst.put("/keyed", new AtomicInteger(1));
    failFirst.put("/plain", new AtomicInteger(1));

    HttpResponse<String> keyed = proxy.send(post("retrying", "/keyed").header("Idempotency-Key", "k-1").build());
    HttpResponse<String> plain = proxy.send(post("retrying", "/plain").build());

    assertThat(keyed.statusCode()).isEqualTo(200);
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(remote.received().stream().filter(r -> r.uri().equals("/keyed"))).hasSize(2);
  }

  @Test
  void theRetryBudgetIsPerRemote() {
    failFirst.put("/t", new AtomicInteger(1));
    failFirst.put("/r", new AtomicInteger(1));

    assertThat(proxy.outbound("tight", "/t").statusCode()).as("its budget allows no retry").isEqualTo(503);
    assertThat(proxy.outbound("retrying", "/r").statusCode()).isEqualTo(200);

    AccessLogRecord line = await().until(() -> proxy.accessLog().records().stream()
        .filter(r -> "tight".equals(r.upstream())).findFirst(), java.util.Optional::isPresent).orElseThrow();
    assertThat(line.flags()).contains("URX");
    await().untilAsserted(() ->
        assertThat(proxy.metric("batcycle_retry_budget_exhausted_total", "upstream", "tight")).isEqualTo(1.0));
  }

  @Test
  void oneRemotesBreakerOpensAloneAndTheInboundPathIsUnaffected() {
    failFirst.put("/f", new AtomicInteger(100));

    assertThat(proxy.outbound("fragile", "/f").statusCode()).isEqualTo(503);
    assertThat(proxy.outbound("fragile", "/f").statusCode()).isEqualTo(503);
    int reached = remote.arrivals();
    HttpResponse<String> open = proxy.outbound("fragile", "/f");

    assertThat(open.headers().firstValue("x-batcycle-error")).contains("circuit_open");
    assertThat(remote.arrivals()).as("an open circuit sends nothing").isEqualTo(reached);
    assertThat(proxy.outbound("noretry", "/f").headers().firstValue("x-batcycle-error"))
        .as("another entry to the same remote has a circuit of its own").isEmpty();
    assertThat(proxy.get("/in").body()).isEqualTo("app");
    await().untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_circuit_state", "upstream", "fragile", "state", "open")).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_circuit_state", "direction", "inbound", "state", "closed")).isEqualTo(1.0);
    });
  }

  @Test
  void timeoutsArePerRemote() {
    HttpResponse<String> timedOut = proxy.outbound("quick", "/slow");
    assertThat(timedOut.statusCode()).isEqualTo(504);
    assertThat(timedOut.headers().firstValue("x-batcycle-error")).contains("upstream_response_timeout");

    assertThat(proxy.outbound("retrying", "/slow").body()).as("the default timeout waits").isEqualTo("slow");
  }

  @Test
  void concurrencyLimitsArePerRemote() throws Exception {
    CompletableFuture<HttpResponse<String>> holding = proxy.client().sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.outboundPort("narrow") + "/hold"))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    await().until(() -> held.size() == 1);

    HttpResponse<String> shed = proxy.outbound("narrow", "/n");
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.headers().firstValue("x-batcycle-error")).contains("overloaded");
    assertThat(proxy.outbound("retrying", "/n").statusCode()).as("other remotes have permits of their own")
        .isEqualTo(200);
    assertThat(proxy.get("/n").statusCode()).isEqualTo(200);

    remote.vertx().runOnContext(v -> held.poll().end("released"));
    assertThat(holding.get(30, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("released");
  }

  @Test
  void withTracingOnTheAppsTraceContinuesWithBatcyclesOwnSpan() {
    String appTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + proxy.outboundPort("traced") + "/t")).header("traceparent", appTrace).build());

    String sent = response.body().substring("ok ".length());
    assertThat(sent).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01")
        .isNotEqualTo(appTrace);
    AccessLogRecord line = await().until(() -> proxy.accessLog().records().stream()
        .filter(r -> "traced".equals(r.upstream())).findFirst(), java.util.Optional::isPresent).orElseThrow();
    assertThat(line.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(sent).contains("-" + line.spanId() + "-");

    String started = proxy.outbound("traced", "/u").body().substring("ok ".length());
    assertThat(started).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
  }

  private HttpRequest.Builder post(String entry, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.outboundPort(entry) + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("x"));
  }
}
