package batcycle.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.config.LimitConfig;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.UpstreamResponse;
import batcycle.testing.Failures;
import batcycle.testing.FakeExchanges.Response;
import batcycle.testing.FakeExchanges;
import batcycle.testing.RealLoop;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitLayerTest {
  private final RealLoop loop = new RealLoop();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** Requests the fake app holds until the test answers them. */
  private final List<Promise<UpstreamResponse>> held = new CopyOnWriteArrayList<>();
  private final Next app = exchange -> {
    Promise<UpstreamResponse> answer = Promise.promise();
    held.add(answer);
    return answer.future();
  };

  @AfterEach
  void close() {
    loop.close();
  }

  /** The layer over a fresh limiter of {@code config}, whose meters go to {@link #registry}. */
  private ConcurrencyLimitLayer layer(LimitConfig config) {
    return new ConcurrencyLimitLayer(new ConcurrencyLimiter(config, registry), config.queueTimeout());
  }

  private Exchange exchange(String path) {
    return FakeExchanges.exchange(loop, HttpMethod.GET, path, null);
  }

  private static LimitConfig config(String max, String queue, String queueTimeout) {
    return BatcycleConfig.defaults().with(Map.of(Key.LIMITS_MAX_CONCURRENT, max, Key.LIMITS_QUEUE_SIZE, queue,
        Key.LIMITS_QUEUE_TIMEOUT, queueTimeout)).limits();
  }

  private <T> T onLoop(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(() -> result.complete(action.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    future.onComplete(ar -> failure.complete(ar.cause()));
    return failure.get(10, TimeUnit.SECONDS);
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void shedsBeyondTheLimitAndQueueAndGrantsQueuedRequestsWhenAResponseEnds() throws Exception {
    LimitConfig config = config("2", "1", "5s");
    ConcurrencyLimitLayer layer = layer(config);
    Exchange first = exchange("/1");
    onLoop(() -> layer.handle(first, app));
    onLoop(() -> layer.handle(exchange("/2"), app));
    Future<UpstreamResponse> queued = onLoop(() -> layer.handle(exchange("/3"), app));
    Future<UpstreamResponse> shed = onLoop(() -> layer.handle(exchange("/4"), app));

    assertThat(shed.failed()).isTrue();
    assertThat(Failures.kindOf(shed.cause())).isEqualTo(FailureKind.OVERLOADED);
    assertThat(((ProxyFailure) shed.cause()).retryAfterSeconds()).isEqualTo(1);
    assertThat(held).as("only the limit reached the app").hasSize(2);
    assertThat(gauge("batcycle.concurrency.active")).isEqualTo(2);
    assertThat(gauge("batcycle.concurrency.queued")).isEqualTo(1);

    // The first response head arrives: its permit is still held while its body streams.
    onLoop(() -> held.get(0).tryComplete(new Response(200)));
    assertThat(held).hasSize(2);
    onLoop(() -> {
      first.end(new Outcome(200, 10, true));
      return null;
    });
    // The grant hops to the waiter's event loop.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(held).as("the queued request got the permit").hasSize(3));
    assertThat(queued.isComplete()).isFalse();
    assertThat(gauge("batcycle.concurrency.queued")).isZero();
    assertThat(gauge("batcycle.concurrency.active")).isEqualTo(2);
  }

  @Test
  void aQueuedRequestGivesUpAfterTheQueueTimeout() throws Exception {
    LimitConfig config = config("1", "4", "100ms");
    ConcurrencyLimitLayer layer = layer(config);
    onLoop(() -> layer.handle(exchange("/1"), app));
    long start = System.nanoTime();
    Future<UpstreamResponse> queued = onLoop(() -> layer.handle(exchange("/2"), app));
    assertThat(Failures.kindOf(failureOf(queued))).isEqualTo(FailureKind.OVERLOADED);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(100);
    assertThat(gauge("batcycle.concurrency.queued")).isZero();
    assertThat(held).hasSize(1);
  }

  @Test
  void aQueuedRequestWaitsNoLongerThanItsDeadline() throws Exception {
    LimitConfig config = config("1", "4", "10s");
    ConcurrencyLimitLayer layer = layer(config);
    onLoop(() -> layer.handle(exchange("/1"), app));
    Exchange hurried = exchange("/2");
    hurried.deadlineNanos(System.nanoTime() + 100_000_000L);
    Future<UpstreamResponse> queued = onLoop(() -> layer.handle(hurried, app));
    assertThat(Failures.kindOf(failureOf(queued))).isEqualTo(FailureKind.OVERLOADED);
  }

  @Test
  void releasesThePermitWhenTheExchangeFailsOrTheClientLeavesTheQueue() throws Exception {
    LimitConfig config = config("1", "1", "10s");
    ConcurrencyLimitLayer layer = layer(config);
    Exchange failing = exchange("/1");
    onLoop(() -> layer.handle(failing, app));
    Exchange leaving = exchange("/2");
    onLoop(() -> layer.handle(leaving, app));
    onLoop(() -> {
      leaving.cancel();
      return null;
    });
    assertThat(gauge("batcycle.concurrency.queued")).isZero();
    onLoop(() -> {
      held.get(0).tryFail(new IllegalStateException("boom"));
      failing.end(new Outcome(502, 0, true));
      return null;
    });
    assertThat(gauge("batcycle.concurrency.active")).isZero();
    assertThat(held).as("the client that left never reached the app").hasSize(1);
  }

  @Test
  void aWebSocketTunnelGivesItsPermitBackOnceEstablished() throws Exception {
    LimitConfig config = config("1", "0", "1s");
    ConcurrencyLimitLayer layer = layer(config);
    Next tunnel = exchange -> new Response(101).future();
    onLoop(() -> layer.handle(exchange("/ws"), tunnel));
    assertThat(gauge("batcycle.concurrency.active")).isZero();
  }

  @Test
  void theAdaptiveLimitStartsLowAndIsPublished() {
    LimitConfig config = BatcycleConfig.defaults().with(Map.of(Key.LIMITS_ADAPTIVE, "true")).limits();
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(config, registry);
    assertThat(limiter.limit()).isEqualTo(20);
    assertThat(gauge("batcycle.concurrency.limit")).isEqualTo(20);
  }
}
