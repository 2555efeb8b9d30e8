package batcycle.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.http.HttpServerRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Load shedding through the real proxy: the concurrency limit with its queue, and the optional rate limit. */
class LimitsIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  /** An app that holds every request until {@link #releaseAll}, counting how many it holds at once. */
  private void startHoldingApp(Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      held.add(request);
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
  }

  private void releaseAll() {
    List<HttpServerRequest> answering = new ArrayList<>(held);
    held.removeAll(answering);
    for (HttpServerRequest request : answering) {
      origin.vertx().runOnContext(v -> {
        inFlight.decrementAndGet();
        request.response().end("done");
      });
    }
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return proxy.client().sendAsync(HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shedsTheExcessWith503AtOnceAndNeverLetsMoreThanTheLimitReachTheApp() throws Exception {
    startHoldingApp(Map.of(Key.LIMITS_MAX_CONCURRENT, "4", Key.LIMITS_QUEUE_SIZE, "2",
        Key.LIMITS_QUEUE_TIMEOUT, "10s"));
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      responses.add(sendAsync("/hold/" + i));
    }
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(held).hasSize(4);
      assertThat(proxy.metric("batcycle_concurrency_queued")).isEqualTo(2);
      assertThat(responses.stream().filter(CompletableFuture::isDone)).hasSize(4);
    });
    for (CompletableFuture<HttpResponse<String>> done : responses.stream().filter(CompletableFuture::isDone).toList()) {
      HttpResponse<String> shed = done.get();
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
      assertThat(shed.headers().firstValue("x-batcycle-error")).hasValue("overloaded");
    }
    assertThat(proxy.metric("batcycle_concurrency_active")).isEqualTo(4);

    releaseAll();
    await().atMost(BOUND).untilAsserted(() -> assertThat(held).as("the queued two got their permits").hasSize(2));
    releaseAll();
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
    }
    assertThat(responses.stream().filter(r -> r.join().statusCode() == 200)).hasSize(6);
    assertThat(maxInFlight.get()).as("never more than the limit at the app at once").isLessThanOrEqualTo(4);
    assertThat(origin.arrivals()).isEqualTo(6);
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_rejected_total", "reason", "overloaded")).isEqualTo(4);
      assertThat(proxy.metric("batcycle_concurrency_active")).isZero();
      assertThat(proxy.accessLog().records()).filteredOn(r -> r.flags().contains("OL")).hasSize(4);
    });
  }

  @Test
  void theRateLimitAnswers429WithRetryAfter() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.RATE_LIMIT_LIMIT, "3")
        .with(Key.RATE_LIMIT_PERIOD, "1m"));
    for (int i = 0; i < 3; i++) {
      assertThat(proxy.get("/").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = proxy.get("/");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("x-batcycle-error")).hasValue("rate_limited");
    assertThat(Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
    assertThat(origin.arrivals()).isEqualTo(3);
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_rejected_total", "reason", "rate_limited")).isEqualTo(1);
      assertThat(proxy.accessLog().records()).anyMatch(r -> r.status() == 429 && r.flags().contains("RL"));
    });
  }
}
