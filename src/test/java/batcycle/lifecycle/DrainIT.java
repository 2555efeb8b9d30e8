package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ManualDrainClock;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Graceful drain as a rolling deploy sees it: nothing in flight is lost, and the listener closes after the delay.
 * The delay is counted by a clock the test moves, so each phase begins when the test says, never after a guess at
 * how long the previous one takes.
 */
class DrainIT {
  private static final Duration DELAY = Duration.ofSeconds(1);
  private static final Duration BOUND = Duration.ofSeconds(20);
  private final ManualDrainClock drainClock = new ManualDrainClock();
  /** Requests to /slow the app holds until {@link #answerHeldRequests}; it answers everything else at once. */
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  private final RecordingOrigin origin = RecordingOrigin.start((request, body) -> {
    if (request.path().equals("/slow")) {
      held.add(request);
    } else {
      request.response().end("done " + request.path());
    }
  });
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(origin::port).thenClose(origin).drainClock(drainClock)
      .with(Key.DRAIN_DELAY, "1s").with(Key.DRAIN_TIMEOUT, "10s").build();

  @Test
  void finishesInFlightRequestsAndRefusesNewConnectionsAfterTheDelay() throws Exception {
    CompletableFuture<HttpResponse<String>> slow = proxy.client().sendAsync(
        HttpRequest.newBuilder(proxy.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(BOUND).until(() -> held.size() == 1);

    Future<Void> drained = proxy.batcycle().drainAndClose("test");
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(503);
    // During the delay, endpoints are still being updated: new requests are served normally.
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(fresh.send(HttpRequest.newBuilder(proxy.uri("/during")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("done /during");
    assertThat(drainClock.pendingTimers()).as("the drain waits for its delay").isEqualTo(1);

    drainClock.advance(DELAY);
    int port = proxy.port();
    await().atMost(BOUND).untilAsserted(() ->
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class));
    assertThat(slow).as("the request in flight still waits for the app").isNotDone();
    assertThat(drained.isComplete()).as("the drain waits for the request in flight").isFalse();

    answerHeldRequests();
    HttpResponse<String> slowResponse = slow.get(20, TimeUnit.SECONDS);
    assertThat(slowResponse.statusCode()).isEqualTo(200);
    assertThat(slowResponse.body()).isEqualTo("done /slow");
    drained.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  /**
   * Models a rolling deploy: clients keep sending until the "Service" stops routing to this pod, which happens
   * a little after /readyz turns 503 (endpoint propagation; here after 100 more answers) and before the drain
   * delay is over. Every request sent must get its full answer.
   */
  @Test
  void losesNoRequestUnderSteadyLoad() throws Exception {
    AtomicBoolean routed = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> lost = new CopyOnWriteArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    for (int c = 0; c < 4; c++) {
      clients.submit(() -> {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < 5_000 && routed.get() && System.nanoTime() < deadline; i++) {
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(proxy.uri("/r" + i))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().equals("done /r" + i)) {
              ok.incrementAndGet();
            } else {
              lost.add(r.statusCode() + " " + r.body());
            }
          } catch (IOException e) {
            lost.add(e.toString());
          }
        }
        return null;
      });
    }
    await().atMost(BOUND).until(() -> ok.get() >= 200);
    Future<Void> drained = proxy.batcycle().drainAndClose("test");
    int beforeDrain = ok.get();
    await().atMost(BOUND).until(() -> ok.get() >= beforeDrain + 100);
    routed.set(false);
    clients.shutdown();
    assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    drainClock.advance(DELAY);
    drained.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(lost).as("requests that failed").isEmpty();
    assertThat(ok.get()).as("requests served while draining").isGreaterThan(beforeDrain);
  }

  /**
   * The native-sidecar sequence: the app's preStop calls GET /prestop, which marks the drain and returns after the
   * delay while everything is still served; only then do the app and, after it, batcycle get SIGTERM.
   */
  @Test
  void prestopMovesClientsAwayWithoutStoppingThenAStopFinishesAtOnce() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> prestop = client.sendAsync(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + proxy.adminPort() + "/prestop")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(BOUND).until(() -> proxy.admin("/readyz").statusCode() == 503);
    HttpResponse<String> during = client.send(HttpRequest.newBuilder(proxy.uri("/during")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(during.body()).isEqualTo("done /during");
    assertThat(during.headers().firstValue("connection")).hasValue("close");
    assertThat(prestop).as("the hook holds the app's SIGTERM back until the delay is over").isNotDone();

    drainClock.advance(DELAY);
    assertThat(prestop.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // The hook has returned, the listener is still open: the app may now stop, and batcycle serves on.
    assertThat(client.send(HttpRequest.newBuilder(proxy.uri("/after")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("done /after");

    // The delay has passed: the stop closes the listener without waiting on the clock again.
    proxy.batcycle().drainAndClose("SIGTERM").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int port = proxy.port();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  private void answerHeldRequests() {
    for (HttpServerRequest request : held) {
      origin.vertx().runOnContext(v -> request.response().end("done " + request.path()));
    }
    held.clear();
  }
}
