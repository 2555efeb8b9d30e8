package batcycle.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The circuit breaker through the real proxy: opens under sustained failures, sheds fast, closes on recovery. */
class BreakerIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private final AtomicInteger appStatus = new AtomicInteger(503);
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private void start(Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) ->
        request.response().setStatusCode(appStatus.get()).end("app")));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
  }

  @Test
  void opensUnderSustainedFailuresShedsFastAndClosesAfterRecovery() {
    start(Map.of(Key.BREAKER_MINIMUM_CALLS, "10", Key.BREAKER_WINDOW, "10s", Key.BREAKER_OPEN_DURATION, "1s",
        Key.BREAKER_HALF_OPEN_CALLS, "2", Key.RETRY_MAX_ATTEMPTS, "1"));
    for (int i = 0; i < 10; i++) {
      assertThat(proxy.get("/work").statusCode()).isEqualTo(503);
    }
    assertThat(origin.arrivals()).isEqualTo(10);
    assertThat(proxy.metric("batcycle_circuit_state", "state", "open")).isEqualTo(1);
    assertThat(proxy.metric("batcycle_circuit_state", "state", "closed")).isZero();

    for (int i = 0; i < 10; i++) {
      HttpResponse<String> shed = proxy.get("/work");
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("x-batcycle-error")).hasValue("circuit_open");
      assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
    }
    assertThat(origin.arrivals()).as("nothing reached the app while open").isEqualTo(10);
    HttpResponse<String> ready = proxy.admin("/readyz");
    assertThat(ready.statusCode()).as("an open circuit never makes the pod unready").isEqualTo(200);
    assertThat(ready.body()).contains("circuit open");
    await().atMost(BOUND).untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_rejected_total", "reason", "circuit_open")).isEqualTo(10);
      assertThat(proxy.accessLog().records()).filteredOn(r -> r.flags().contains("UO")).hasSize(10);
    });

    appStatus.set(200);
    // After openDuration the next requests are the half-open probes; two successes close the circuit.
    await().atMost(BOUND).pollInterval(Duration.ofMillis(100))
        .until(() -> proxy.get("/work").statusCode() == 200);
    assertThat(proxy.get("/work").statusCode()).isEqualTo(200);
    assertThat(proxy.metric("batcycle_circuit_state", "state", "closed")).isEqualTo(1);
    assertThat(proxy.admin("/readyz").body()).contains("circuit closed");
  }

  @Test
  void theDefaultsNeverTurnAHandfulOfAppErrorsIntoSheddingEveryone() {
    start(Map.of());
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = proxy.get("/work");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).as("the app's own answer, not batcycle's").isEqualTo("app");
    }
    assertThat(proxy.metric("batcycle_circuit_state", "state", "closed")).isEqualTo(1);
    // Rejection counters are registered on the first rejection of their reason; none has happened here.
    assertThat(proxy.metricOrZero("batcycle_rejected_total", "reason", "circuit_open")).isZero();
  }
}
