package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Graceful drain as a rolling deploy sees it: nothing in flight is lost, and the listener closes after the delay. */
class DrainIT {
  private RecordingOrigin origin;
  private ProxyHarness proxy;
  private boolean closed;

  @AfterEach
  void close() {
    if (proxy != null && !closed) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private void start(String delay) {
    RecordingOrigin[] self = new RecordingOrigin[1];
    origin = RecordingOrigin.start((request, body) -> {
      long ms = request.path().equals("/slow") ? 1500 : 1;
      self[0].vertx().setTimer(ms, t -> request.response().end("done " + request.path()));
    });
    self[0] = origin;
    proxy = ProxyHarness.start(origin.port(), Map.of(Key.DRAIN_DELAY, delay, Key.DRAIN_TIMEOUT, "10s"));
  }

  @Test
  void finishesInFlightRequestsAndRefusesNewConnectionsAfterTheDelay() throws Exception {
    start("1s");
    CompletableFuture<HttpResponse<String>> slow = proxy.client().sendAsync(
        HttpRequest.newBuilder(proxy.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> origin.arrivals() == 1);

    Future<Void> drained = proxy.batcycle().drainAndClose("test");
    closed = true;
    assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(503);
    // During the delay, endpoints are still being updated: new requests are served normally.
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(fresh.send(HttpRequest.newBuilder(proxy.uri("/during")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("done /during");

    HttpResponse<String> slowResponse = slow.get(20, TimeUnit.SECONDS);
    assertThat(slowResponse.statusCode()).isEqualTo(200);
    assertThat(slowResponse.body()).isEqualTo("done /slow");
    drained.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int port = proxy.port();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  /**
   * Models a rolling deploy: clients keep sending until the "Service" stops routing to this pod, which happens
   * a little after /readyz turns 503 (endpoint propagation; here 300 ms, inside the 1 s drain delay). Every request
   * sent must get its full answer.
   */
  @Test
  void losesNoRequestUnderSteadyLoad() throws Exception {
    start("1s");
    AtomicBoolean routed = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> lost = new CopyOnWriteArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    ScheduledExecutorService endpoints = Executors.newSingleThreadScheduledExecutor();
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
    await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= 200);
    Future<Void> drained = proxy.batcycle().drainAndClose("test");
    closed = true;
    int beforeDrain = ok.get();
    endpoints.schedule(() -> routed.set(false), 300, TimeUnit.MILLISECONDS);
    drained.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    clients.shutdown();
    endpoints.shutdown();
    assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(lost).as("requests that failed").isEmpty();
    assertThat(ok.get()).as("requests served while draining").isGreaterThan(beforeDrain);
  }

  /**
   * The native-sidecar sequence: the app's preStop calls GET /prestop, which marks the drain and returns after the
   * delay while everything is still served; only then do the app and, after it, batcycle get SIGTERM.
   */
  @Test
  void prestopMovesClientsAwayWithoutStoppingThenAStopFinishesAtOnce() throws Exception {
    start("1s");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> prestop = client.sendAsync(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + proxy.adminPort() + "/prestop")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.admin("/readyz").statusCode() == 503);
    HttpResponse<String> during = client.send(HttpRequest.newBuilder(proxy.uri("/during")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(during.body()).isEqualTo("done /during");
    assertThat(during.headers().firstValue("connection")).hasValue("close");

    assertThat(prestop.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // The hook has returned, the listener is still open: the app may now stop, and batcycle serves on.
    assertThat(client.send(HttpRequest.newBuilder(proxy.uri("/after")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("done /after");

    proxy.batcycle().drainAndClose("SIGTERM").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    closed = true;
    int port = proxy.port();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }
}
