package batcycle.retry;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.errors.ResponseFlag;
import batcycle.pipeline.BodyReceiver;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.testing.FakeBody;
import batcycle.testing.FakeExchanges;
import batcycle.testing.FakeExchanges.Response;
import batcycle.testing.RealLoop;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry rules, with a scripted app in place of the forwarder and real (short) timers on a real loop. */
class RetryLayerTest {
  private final RealLoop loop = new RealLoop();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    loop.close();
  }

  private Exchange exchange(HttpMethod method, String uri, String... headers) {
    return FakeExchanges.exchange(loop, method, uri, null, headers);
  }

  private Exchange exchange(HttpMethod method, String uri, FakeBody body, String... headers) {
    return FakeExchanges.exchange(loop, method, uri, body, headers);
  }

  private RetryLayer layer() {
    return layer(Map.of());
  }

  private RetryLayer layer(Map<Key, String> overrides) {
    Map<Key, String> all = new EnumMap<>(Key.class);
    all.put(Key.RETRY_BACKOFF_BASE, "1ms");
    all.put(Key.RETRY_BACKOFF_MAX, "5ms");
    all.putAll(overrides);
    var config = BatcycleConfig.defaults().with(all).retry();
    return new RetryLayer(config, new RetryBudget(config, registry), registry);
  }

  /**
   * Stands in for the forwarder: each call runs the next scripted step. A step that "connected" reads the whole
   * body first (as the forwarder pipes it once connected); one that failed to connect never touches it.
   */
  private static final class App implements Next {
    private final List<Step> steps;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<Long> callNanos = new CopyOnWriteArrayList<>();

    interface Step {
      Future<UpstreamResponse> run();
    }

    App(Step... steps) {
      this.steps = new ArrayList<>(List.of(steps));
    }

    int calls() {
      return callNanos.size();
    }

    @Override
    public Future<UpstreamResponse> proceed(Exchange exchange) {
      callNanos.add(System.nanoTime());
      exchange.beginAttempt();
      Step step = steps.size() > 1 ? steps.remove(0) : steps.get(0);
      if (step instanceof Refuse || !exchange.hasBody()) {
        return step.run();
      }
      Promise<UpstreamResponse> done = Promise.promise();
      StringBuilder body = new StringBuilder();
      exchange.body().subscribe(new BodyReceiver() {
        @Override
        public void data(ByteBuf piece) {
          body.append(piece.toString(StandardCharsets.UTF_8));
          piece.release();
        }

        @Override
        public void end(HttpHeaders trailers) {
          bodies.add(body.toString());
          step.run().onComplete(done);
        }

        @Override
        public void failed(Throwable cause) {
          done.fail(cause);
        }
      });
      return done.future();
    }
  }

  /** A connect failure: the body is never read. */
  private record Refuse() implements App.Step {
    @Override
    public Future<UpstreamResponse> run() {
      return Future.failedFuture(ProxyFailure.of(FailureKind.CONNECT_REFUSED, "refused"));
    }
  }

  private static App.Step fail(Throwable failure) {
    return () -> Future.failedFuture(failure);
  }

  private static App.Step answer(Response response) {
    return response::future;
  }

  private static ProxyFailure reset() {
    return ProxyFailure.of(FailureKind.RESET, "reset");
  }

  /** The kind of a failure the layer passed on. */
  private static FailureKind kindOf(Throwable failure) {
    return ((ProxyFailure) failure).kind();
  }

  /** Runs the layer on the loop, as the proxy does, and waits for its outcome. */
  private UpstreamResponse respond(RetryLayer layer, Exchange exchange, App app) throws Exception {
    return loop.await(() -> layer.handle(exchange, app));
  }

  private Throwable failure(RetryLayer layer, Exchange exchange, App app) throws Exception {
    try {
      loop.await(() -> layer.handle(exchange, app));
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the request to fail");
  }

  private double retries(String reason) {
    return registry.get("batcycle.retries").tag("reason", reason).counter().count();
  }

  private double skipped(String reason) {
    return registry.get("batcycle.retry.skipped").tag("reason", reason).counter().count();
  }

  @Test
  void retriesAConnectFailureForAnyMethodAndBodySizeWithTheBodyUntouched() throws Exception {
    String large = "x".repeat(100 * 1024); // over retry.maxReplayBytes: never recorded
    FakeBody body = new FakeBody().write(large).end();
    Exchange exchange = exchange(HttpMethod.POST, "/orders", body);
    App app = new App(new Refuse(), answer(new Response(201)));
    assertThat(respond(layer(), exchange, app).status()).isEqualTo(201);
    assertThat(app.calls()).isEqualTo(2);
    assertThat(app.bodies).containsExactly(large);
    assertThat(exchange.retryReasons()).containsExactly("connect_failure");
    assertThat(retries("connect_failure")).isEqualTo(1);
  }

  @Test
  void neverSendsAPostWithoutIdempotencyKeyTwiceOnceItReachedTheApp() throws Exception {
    Exchange exchange = exchange(HttpMethod.POST, "/orders", new FakeBody().write("{}").end());
    App app = new App(fail(reset()), answer(new Response(200)));
    assertThat(failure(layer(), exchange, app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(app.calls()).isEqualTo(1);
    assertThat(skipped("not_idempotent")).isEqualTo(1);
    assertThat(exchange.retryReasons()).isEmpty();
  }

  @Test
  void retriesAPostWithAnIdempotencyKeyReplayingTheSameBody() throws Exception {
    FakeBody body = new FakeBody().write("{\"amount\":").write("42}").end();
    Exchange exchange = exchange(HttpMethod.POST, "/payments", body, "Idempotency-Key", "k-1");
    App app = new App(fail(reset()), answer(new Response(200)));
    assertThat(respond(layer(), exchange, app).status()).isEqualTo(200);
    assertThat(app.bodies).containsExactly("{\"amount\":42}", "{\"amount\":42}");
    assertThat(retries("reset")).isEqualTo(1);
  }

  @Test
  void retriesAGetOnAConfiguredStatusAndAbortsTheDiscardedResponse() throws Exception {
    Response unavailable = new Response(503);
    App app = new App(answer(unavailable), answer(new Response(200)));
    assertThat(respond(layer(), exchange(HttpMethod.GET, "/"), app).status()).isEqualTo(200);
    assertThat(unavailable.aborted).isTrue();
    assertThat(retries("status")).isEqualTo(1);
  }

  @Test
  void passesOtherStatusesOnAtOnce() throws Exception {
    for (int status : new int[] {200, 404, 429, 500}) {
      App app = new App(answer(new Response(status)));
      assertThat(respond(layer(), exchange(HttpMethod.GET, "/"), app).status()).isEqualTo(status);
      assertThat(app.calls()).isEqualTo(1);
    }
  }

  @Test
  void retriesProtocolErrorsAndPerTryTimeoutsOfIdempotentRequests() throws Exception {
    App app = new App(fail(ProxyFailure.of(FailureKind.PROTOCOL_ERROR, "garbage")),
        fail(ProxyFailure.of(FailureKind.RESPONSE_TIMEOUT, "slow")), answer(new Response(200)));
    assertThat(respond(layer(), exchange(HttpMethod.PUT, "/x", new FakeBody().write("v").end()), app)
        .status()).isEqualTo(200);
    assertThat(app.bodies).containsExactly("v", "v", "v");
    assertThat(retries("protocol_error")).isEqualTo(1);
    assertThat(retries("timeout")).isEqualTo(1);
  }

  @Test
  void waitsForAShortRetryAfterBeforeRetrying() throws Exception {
    App app = new App(answer(new Response(503, "Retry-After", "1")), answer(new Response(200)));
    assertThat(respond(layer(), exchange(HttpMethod.GET, "/"), app).status()).isEqualTo(200);
    assertThat(app.callNanos.get(1) - app.callNanos.get(0)).isGreaterThanOrEqualTo(1_000_000_000L);
  }

  @Test
  void passesALongRetryAfterToTheClientUnchanged() throws Exception {
    Response busy = new Response(503, "Retry-After", "120");
    App app = new App(answer(busy), answer(new Response(200)));
    UpstreamResponse response = respond(layer(), exchange(HttpMethod.GET, "/"), app);
    assertThat(response).isSameAs(busy);
    assertThat(response.head().headers().get("retry-after")).isEqualTo("120");
    assertThat(busy.aborted).isFalse();
    assertThat(app.calls()).isEqualTo(1);
    assertThat(skipped("retry_after")).isEqualTo(1);
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastFailure() throws Exception {
    App app = new App(fail(reset()));
    Exchange exchange = exchange(HttpMethod.GET, "/");
    assertThat(failure(layer(), exchange, app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(app.calls()).isEqualTo(3);
    assertThat(exchange.attempts()).isEqualTo(3);
    assertThat(exchange.retryReasons()).containsExactly("reset", "reset");
    assertThat(skipped("attempts_exhausted")).isEqualTo(1);
  }

  @Test
  void passesTheLastRetryableStatusOnWhenAttemptsRunOut() throws Exception {
    Response last = new Response(502);
    App app = new App(answer(new Response(502)), answer(new Response(502)), answer(last));
    assertThat(respond(layer(), exchange(HttpMethod.GET, "/"), app)).isSameAs(last);
    assertThat(last.aborted).isFalse();
  }

  @Test
  void aSpentBudgetPassesTheFailureOnFlaggedUrx() throws Exception {
    RetryLayer layer = layer(Map.of(Key.RETRY_BUDGET_RATIO, "0", Key.RETRY_BUDGET_MIN_PER_SECOND, "0"));
    Exchange exchange = exchange(HttpMethod.GET, "/");
    App app = new App(fail(reset()), answer(new Response(200)));
    assertThat(failure(layer, exchange, app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(app.calls()).isEqualTo(1);
    assertThat(exchange.flags()).contains(ResponseFlag.RETRY_BUDGET_EXHAUSTED);
    assertThat(registry.get("batcycle.retry.budget.exhausted").counter().count()).isEqualTo(1);
    assertThat(skipped("budget")).isEqualTo(1);
  }

  @Test
  void neverRetriesAnOpenCircuit() throws Exception {
    App app = new App(fail(ProxyFailure.retryLater(FailureKind.CIRCUIT_OPEN, "open", 5)), answer(new Response(200)));
    assertThat(kindOf(failure(layer(), exchange(HttpMethod.GET, "/"), app))).isEqualTo(FailureKind.CIRCUIT_OPEN);
    assertThat(app.calls()).isEqualTo(1);
    assertThat(skipped("circuit_open")).isEqualTo(1);
  }

  @Test
  void retriesAWebSocketHandshakeOnlyAfterAConnectFailure() throws Exception {
    Exchange refused = exchange(HttpMethod.GET, "/ws");
    refused.webSocket(true);
    App app = new App(new Refuse(), answer(new Response(101)));
    assertThat(respond(layer(), refused, app).status()).as("the tunnel is up").isEqualTo(101);

    Exchange reset = exchange(HttpMethod.GET, "/ws");
    reset.webSocket(true);
    App resetting = new App(fail(reset()), answer(new Response(101)));
    assertThat(failure(layer(), reset, resetting)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(resetting.calls()).isEqualTo(1);
    assertThat(skipped("websocket")).isEqualTo(1);
  }

  @Test
  void neverRetriesABodyOverTheReplayCapOnceSent() throws Exception {
    RetryLayer layer = layer(Map.of(Key.RETRY_MAX_REPLAY_BYTES, "10"));
    Exchange exchange = exchange(HttpMethod.PUT, "/big", new FakeBody().write("x".repeat(11)).end());
    App app = new App(fail(reset()), answer(new Response(200)));
    assertThat(failure(layer, exchange, app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(app.calls()).isEqualTo(1);
    assertThat(skipped("not_replayable")).isEqualTo(1);
  }

  @Test
  void doesNotRetryWhenTheBackOffWouldPassTheDeadline() throws Exception {
    RetryLayer layer = layer(Map.of(Key.RETRY_BACKOFF_BASE, "10s", Key.RETRY_BACKOFF_MAX, "10s"));
    Exchange exchange = exchange(HttpMethod.GET, "/");
    exchange.deadlineNanos(System.nanoTime() + 1_000_000_000L);
    App app = new App(fail(reset()), answer(new Response(200)));
    assertThat(failure(layer, exchange, app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(skipped("deadline")).isEqualTo(1);
  }

  @Test
  void backsOffExponentiallyWithJitterUpToTheCap() throws Exception {
    RetryLayer layer = layer(Map.of(Key.RETRY_BACKOFF_BASE, "100ms", Key.RETRY_BACKOFF_MAX, "150ms",
        Key.RETRY_MAX_ATTEMPTS, "4"));
    App app = new App(fail(reset()));
    failure(layer, exchange(HttpMethod.GET, "/"), app);
    assertThat(app.calls()).isEqualTo(4);
    // ±50 % jitter around 100, 200 and 400 ms, capped at 150 ms; a timer never fires early.
    long[] atLeastMs = {50, 100, 150};
    for (int i = 1; i < 4; i++) {
      long gapMs = (app.callNanos.get(i) - app.callNanos.get(i - 1)) / 1_000_000;
      assertThat(gapMs).as("gap before attempt " + (i + 1)).isBetween(atLeastMs[i - 1], 1_000L);
    }
  }

  @Test
  void oneAttemptMeansNoRetries() throws Exception {
    App app = new App(fail(reset()), answer(new Response(200)));
    RetryLayer layer = layer(Map.of(Key.RETRY_MAX_ATTEMPTS, "1"));
    assertThat(failure(layer, exchange(HttpMethod.GET, "/"), app)).extracting(RetryLayerTest::kindOf).isEqualTo(FailureKind.RESET);
    assertThat(app.calls()).isEqualTo(1);
  }
}
