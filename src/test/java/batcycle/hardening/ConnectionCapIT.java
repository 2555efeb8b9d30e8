package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code limits.maxConnections}: connections over the cap are closed before anything they sent is handled, counted
 * in {@code batcycle_connections_rejected_total{reason="max_connections"}}, and the open-connection gauge is exact
 * across event loops and back to zero once every connection has closed, however it closed.
 */
class ConnectionCapIT {
  private static final String CRLF = "\r\n";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
  }

  private void start(int maxConnections) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response().end("ok " + request.uri())));
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(Key.LIMITS_MAX_CONNECTIONS, Integer.toString(maxConnections))
        .with(Key.EVENT_LOOPS, "2"));
  }

  /** A raw client whose connection is open and admitted: it got an answer. */
  private SlowClient admitted(String path) throws IOException {
    SlowClient client = SlowClient.connect(proxy.port(), READ_TIMEOUT);
    clients.add(client);
    SlowClient.Response response = client.send(get(path)).readResponse();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok " + path);
    return client;
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1" + CRLF + "Host: h" + CRLF + CRLF;
  }

  private double rejected() {
    return proxy.metric("batcycle_connections_rejected_total", "reason", "max_connections");
  }

  @Test
  void aConnectionOverTheCapIsClosedAndNothingItSentReachesTheApp() throws Exception {
    start(3);
    SlowClient first = admitted("/1");
    admitted("/2");
    admitted("/3");
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(3.0));

    try (var refused = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      // Two pipelined requests in one write: neither may be handled.
      try {
        refused.send(get("/over-1") + get("/over-2"));
      } catch (IOException closedAlready) {
        // the proxy may have closed before the write: that is the expected outcome too
      }
      assertThat(refused.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    await().untilAsserted(() -> assertThat(rejected()).isEqualTo(1.0));
    assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(3.0);
    assertThat(proxy.metric("batcycle_connections_max")).isEqualTo(3.0);

    // A closed connection frees its place at once.
    first.close();
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(2.0));
    admitted("/4");
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri)
        .containsExactlyInAnyOrder("/1", "/2", "/3", "/4");
  }

  @Test
  void theCapIsExactAcrossEventLoopsWhenManyConnectAtOnce() throws Exception {
    int cap = 5;
    int attempts = 24;
    start(cap);
    ExecutorService pool = Executors.newFixedThreadPool(attempts);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> outcomes = new ArrayList<>();
    List<SlowClient> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < attempts; i++) {
        SlowClient client = SlowClient.connect(proxy.port(), READ_TIMEOUT);
        clients.add(client);
        sockets.add(client);
      }
      for (int i = 0; i < attempts; i++) {
        SlowClient client = sockets.get(i);
        String path = "/c" + i;
        outcomes.add(pool.submit(() -> {
          go.await(30, TimeUnit.SECONDS);
          try {
            return client.send(get(path)).readResponse().status(); // admitted ones stay open: nobody closes them
          } catch (IOException refused) {
            return 0;
          }
        }));
      }
      go.countDown();
      int answered = 0;
      for (Future<Integer> outcome : outcomes) {
        if (outcome.get(60, TimeUnit.SECONDS) == 200) {
          answered++;
        }
      }
      // All connections were opened before any request: the first five accepted got places, whichever loop.
      assertThat(answered).isEqualTo(cap);
      assertThat(origin.received()).hasSize(cap);
      await().untilAsserted(() -> {
        assertThat(rejected()).isEqualTo(attempts - cap);
        assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(cap);
      });
    } finally {
      pool.shutdownNow();
    }
    for (SlowClient client : sockets) {
      client.close();
    }
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isZero());
  }

  @Test
  void anHttp2ConnectionOverTheCapIsRefusedToo() throws Exception {
    start(1);
    admitted("/held");
    Vertx vertx = Vertx.vertx();
    clients.add(() -> Futures.await(vertx.close()));
    var h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    var attempt = h2.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(proxy.port()).setURI("/h2-over"))
        .compose(request -> request.send())
        .map(response -> response.statusCode());
    assertThat(attempt.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(30));
    await().untilAsserted(() -> assertThat(rejected()).isEqualTo(1.0));
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/held");
  }

  @Test
  void everyWayAConnectionEndsReleasesItsPlace() throws Exception {
    start(0); // no cap: the gauge alone is under test
    // Closed by the client after a response, after a 400 for a malformed head, in the middle of a head, and after
    // staying open; the head-timeout path is in SlowClientIT.
    admitted("/a").close();
    try (var malformed = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      malformed.send("GET /x HTTP/1.1" + CRLF + "Host: a" + CRLF + "Host: b" + CRLF + CRLF);
      assertThat(malformed.readResponse().status()).isEqualTo(400);
    }
    try (var silent = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      silent.send("GET /y HTTP/1.1" + CRLF); // then nothing: the head never completes
      await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(1.0));
    }
    SlowClient keptOpen = admitted("/b");
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isEqualTo(1.0));
    keptOpen.close();
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isZero());
    assertThat(rejected()).isZero();
  }
}
