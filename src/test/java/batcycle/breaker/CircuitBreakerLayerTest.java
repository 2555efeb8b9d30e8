package batcycle.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.testing.Failures;
import batcycle.testing.FakeClock;
import batcycle.testing.FakeExchanges.Response;
import batcycle.testing.FakeExchanges;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerLayerTest {
  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger calls = new AtomicInteger();

  private UpstreamCircuit circuit(Map<Key, String> overrides) {
    Map<Key, String> all = new EnumMap<>(Key.class);
    all.put(Key.BREAKER_MINIMUM_CALLS, "10");
    all.put(Key.BREAKER_WINDOW, "30s");
    all.put(Key.BREAKER_OPEN_DURATION, "5s");
    all.put(Key.BREAKER_HALF_OPEN_CALLS, "2");
    all.putAll(overrides);
    return new UpstreamCircuit(BatcycleConfig.defaults().with(all).breaker(), registry, clock);
  }

  private Future<UpstreamResponse> call(CircuitBreakerLayer layer, Future<UpstreamResponse> outcome) {
    Next app = exchange -> {
      calls.incrementAndGet();
      return outcome;
    };
    return layer.handle(FakeExchanges.exchange(HttpMethod.GET, "/"), app);
  }

  private static Future<UpstreamResponse> status(int status) {
    return new Response(status).future();
  }

  private double stateGauge(String state) {
    return registry.get("batcycle.circuit.state").tag("state", state).gauge().value();
  }

  @Test
  void opensOnlyOnceTheMinimumNumberOfAttemptsFailedAtTheRate() {
    UpstreamCircuit circuit = circuit(Map.of());
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 9; i++) {
      call(layer, status(503));
    }
    assertThat(circuit.state()).as("9 failures are under the minimum of 10").isEqualTo("closed");
    call(layer, Future.failedFuture(ProxyFailure.of(FailureKind.RESET, "reset")));
    assertThat(circuit.state()).isEqualTo("open");
    assertThat(stateGauge("open")).isEqualTo(1);
    assertThat(stateGauge("closed")).isZero();

    Future<UpstreamResponse> shed = call(layer, status(200));
    assertThat(Failures.kindOf(shed.cause())).isEqualTo(FailureKind.CIRCUIT_OPEN);
    assertThat(((ProxyFailure) shed.cause()).retryAfterSeconds()).isEqualTo(5);
    assertThat(((ProxyFailure) shed.cause()).status()).isEqualTo(503);
    assertThat(calls.get()).as("the app is not called while open").isEqualTo(10);
    assertThat(circuit.describe()).startsWith("circuit open");
  }

  @Test
  void aMinorityOfFailuresNeverOpensIt() {
    UpstreamCircuit circuit = circuit(Map.of());
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 200; i++) {
      call(layer, status(i % 5 == 2 || i % 5 == 4 ? 503 : 200)); // 40 % failures, never 50 % at any point
    }
    assertThat(circuit.state()).isEqualTo("closed");
    assertThat(circuit.describe()).isEqualTo("circuit closed (failure rate 40.0 %)");
  }

  @Test
  void applicationErrorsAndClientStatusesAreNotFailures() {
    UpstreamCircuit circuit = circuit(Map.of());
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 50; i++) {
      call(layer, status(i % 2 == 0 ? 500 : 429));
    }
    assertThat(circuit.state()).isEqualTo("closed");
  }

  @Test
  void halfOpenProbesCloseItAgainAfterRecovery() {
    UpstreamCircuit circuit = circuit(Map.of());
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 10; i++) {
      call(layer, Future.failedFuture(ProxyFailure.of(FailureKind.RESPONSE_TIMEOUT, "slow")));
    }
    assertThat(circuit.state()).isEqualTo("open");
    clock.advance(Duration.ofSeconds(4));
    assertThat(Failures.kindOf(call(layer, status(200)).cause())).isEqualTo(FailureKind.CIRCUIT_OPEN);
    clock.advance(Duration.ofMillis(1001));
    assertThat(call(layer, status(200)).succeeded()).isTrue();
    assertThat(circuit.state()).isEqualTo("half_open");
    assertThat(stateGauge("half_open")).isEqualTo(1);
    assertThat(call(layer, status(200)).succeeded()).isTrue();
    assertThat(circuit.state()).isEqualTo("closed");
  }

  @Test
  void aFailedProbeOpensItAgain() {
    UpstreamCircuit circuit = circuit(Map.of(Key.BREAKER_HALF_OPEN_CALLS, "1"));
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 10; i++) {
      call(layer, status(502));
    }
    clock.advance(Duration.ofMillis(5001));
    call(layer, status(504));
    assertThat(circuit.state()).isEqualTo("open");
  }

  @Test
  void aClientGoingAwayGivesTheProbeBackWithoutCountingIt() {
    UpstreamCircuit circuit = circuit(Map.of(Key.BREAKER_HALF_OPEN_CALLS, "1"));
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 10; i++) {
      call(layer, status(503));
    }
    clock.advance(Duration.ofMillis(5001));
    Exchange leaving = FakeExchanges.exchange(HttpMethod.GET, "/");
    leaving.cancel();
    layer.handle(leaving, exchange -> Future.failedFuture(ProxyFailure.of(FailureKind.RESET, "reset by us")));
    assertThat(circuit.state()).isEqualTo("half_open");
    assertThat(call(layer, status(200)).succeeded()).as("the probe permit was released").isTrue();
    assertThat(circuit.state()).isEqualTo("closed");
  }

  @Test
  void aDisabledBreakerNeverOpens() {
    UpstreamCircuit circuit = circuit(Map.of(Key.BREAKER_ENABLED, "false"));
    CircuitBreakerLayer layer = new CircuitBreakerLayer(circuit);
    for (int i = 0; i < 50; i++) {
      call(layer, status(503));
    }
    assertThat(calls.get()).isEqualTo(50);
    assertThat(circuit.state()).isEqualTo("closed");
    assertThat(circuit.describe()).isEqualTo("circuit breaker disabled");
  }
}
