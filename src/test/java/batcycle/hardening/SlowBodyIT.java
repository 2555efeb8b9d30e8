package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Closing;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawH2;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow request bodies cannot take the app's capacity: a body is read ahead (up to {@code buffer.requestBody})
 * before its request takes a concurrency permit or a connection to the app, and a body that trickles below
 * {@code limits.minRequestBodyRate} or stops for {@code timeouts.requestBody} is answered 408 and its connection
 * closed (HTTP/2: the stream reset), counted by reason and flagged CT in the request log.
 */
class SlowBodyIT {
  private static final String CRLF = "\r\n";
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration GAP = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void close() {
    Closing.all(clients.toArray(AutoCloseable[]::new)); // before the proxy, which the extension closes after this
  }

  /** An echoing app and batcycle with {@code overrides} on top of a 1 s grace period. */
  private void start(Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response().end(body)));
    Map<Key, String> settings = new EnumMap<>(Key.class);
    settings.put(Key.LIMITS_MIN_REQUEST_BODY_RATE_GRACE, "1s");
    settings.putAll(overrides);
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(settings));
  }

  private SlowClient connect() throws Exception {
    SlowClient client = SlowClient.connect(proxy.port(), READ_TIMEOUT);
    clients.add(client);
    return client;
  }

  private static String postHead(int length) {
    return "POST /upload HTTP/1.1" + CRLF + "Host: app" + CRLF + "Content-Length: " + length + CRLF + CRLF;
  }

  private double timeouts(String reason) {
    return proxy.metric("batcycle_client_timeouts_total", "reason", reason);
  }

  @Test
  void aBodyTrickledBelowTheMinimumRateGets408AndNeverReachesTheApp() throws Exception {
    start(Map.of());
    SlowClient client = connect().send(postHead(300));
    // 10 bytes a second against the 240 required: cut once the grace second is over.
    assertThat(client.trickle("b".repeat(300), GAP, READ_TIMEOUT)).isEqualTo(SlowClient.Reaction.ANSWERED);
    SlowClient.Response response = client.readResponse();
    assertThat(response.status()).isEqualTo(408);
    assertThat(response.headers()).containsEntry("x-batcycle-error", "request_timeout")
        .containsEntry("connection", "close");
    assertThat(response.body()).contains("bytes/s, below 240 bytes/s");
    assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();

    assertThat(origin.arrivals()).isZero();
    await().untilAsserted(() -> {
      assertThat(timeouts("request_body_rate")).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_rejected_total", "reason", "request_timeout")).isEqualTo(1.0);
      assertThat(proxy.accessLog().records()).singleElement().satisfies(line -> {
        assertThat(line.status()).isEqualTo(408);
        assertThat(line.flags()).contains("CT");
      });
    });
  }

  @Test
  void aBodyThatStopsGets408AfterTheBodyTimeout() throws Exception {
    start(Map.of(Key.TIMEOUTS_REQUEST_BODY, "1s", Key.LIMITS_MIN_REQUEST_BODY_RATE, "0"));
    SlowClient client = connect().send(postHead(100) + "only ten b");

    SlowClient.Response response = client.readResponse(); // the read timeout (20 s) is far beyond the 1 s
    assertThat(response.status()).isEqualTo(408);
    assertThat(response.body()).contains("no request body data for 1000 ms");
    assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();
    assertThat(origin.arrivals()).isZero();
    await().untilAsserted(() -> assertThat(timeouts("request_body_idle")).isEqualTo(1.0));
  }

  @Test
  void slowBodiesHoldNoPermitAndNoConnectionToTheApp() throws Exception {
    // Two permits, no queue: on a proxy that forwards at once, two slow bodies shut everyone else out.
    start(Map.of(Key.LIMITS_MAX_CONCURRENT, "2", Key.LIMITS_QUEUE_SIZE, "0",
        Key.LIMITS_MIN_REQUEST_BODY_RATE_GRACE, "60s"));
    List<SlowClient> slow = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      slow.add(connect().send(postHead(1000) + "x".repeat(10)));
    }
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_requests_active")).isEqualTo(6.0));

    assertThat(proxy.get("/quick").statusCode()).isEqualTo(200);
    assertThat(proxy.metric("batcycle_concurrency_active")).isZero();
    assertThat(proxy.metric("batcycle_upstream_requests_active")).isZero();
    assertThat(origin.arrivals()).isEqualTo(1);

    // A slow body that does end goes to the app whole.
    SlowClient first = slow.get(0).send("y".repeat(990));
    SlowClient.Response response = first.readResponse();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("x".repeat(10) + "y".repeat(990));
  }

  @Test
  void aBodyLargerThanTheBufferStreamsOnOnceTheBufferIsFull() throws Exception {
    start(Map.of(Key.BUFFER_REQUEST_BODY, "1KiB"));
    String body = "0123456789abcdef".repeat(256); // 4 KiB
    SlowClient client = connect().send(postHead(body.length()) + body.substring(0, 500));
    await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() ->
        assertThat(origin.arrivals()).as("the app, before 1 KiB was in").isZero());

    client.send(body.substring(500, 1100));
    await().atMost(WAIT).untilAsserted(() -> assertThat(origin.arrivals()).isEqualTo(1));
    client.send(body.substring(1100));
    SlowClient.Response response = client.readResponse();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void aBodyKeepingThePaceIsServedHoweverLongItTakes() throws Exception {
    start(Map.of(Key.TIMEOUTS_REQUEST_BODY, "1s"));
    String body = "p".repeat(1500);
    SlowClient client = connect().send(postHead(body.length()));
    // 100 bytes every 100 ms: about 1 KB/s for 1.5 s, well above the 240 bytes/s asked, never a second's pause.
    for (int i = 0; i < body.length(); i += 100) {
      client.send(body.substring(i, i + 100));
      assertThat(client.isClosedByPeer(GAP)).isFalse();
    }
    SlowClient.Response response = client.readResponse();
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(timeouts("request_body_rate") + timeouts("request_body_idle")).isZero();
  }

  @Test
  void stalledHttp2StreamsGet408WhileTheConnectionServesOthers() {
    start(Map.of(Key.LIMITS_MAX_CONCURRENT, "2", Key.LIMITS_QUEUE_SIZE, "0"));
    RawH2 h2 = RawH2.connect(proxy.port()).preface();
    clients.add(h2);
    for (int stream = 1; stream <= 19; stream += 2) {
      h2.request(stream, "POST", "/stalled", false, "content-length", "100");
    }
    h2.request(21, "GET", "/quick", true);
    RawH2.Frame quick = h2.await("HEADERS", WAIT);
    assertThat(quick.streamId()).isEqualTo(21);
    assertThat(quick.status()).isEqualTo(200);

    List<Integer> timedOut = new ArrayList<>();
    while (timedOut.size() < 10) {
      RawH2.Frame frame = h2.await("HEADERS", WAIT);
      assertThat(frame.type()).isEqualTo("HEADERS");
      assertThat(frame.status()).as("stream %d", frame.streamId()).isEqualTo(408);
      timedOut.add(frame.streamId());
    }
    assertThat(timedOut).containsExactlyInAnyOrder(1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/quick");
    await().untilAsserted(() -> assertThat(timeouts("request_body_rate")).isEqualTo(10.0));
  }

  @Test
  void aGrpcStreamIsForwardedAtOnceAndNotHeldToTheBodyPace() {
    origin = proxy.closesAfter(RecordingOrigin.start(new HttpServerOptions().setHttp2ClearTextEnabled(true),
        (request, body) -> request.response().end(body)));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.UPSTREAM_PROTOCOL, "h2c")
        .with(Key.TIMEOUTS_REQUEST_BODY, "1s").with(Key.LIMITS_MIN_REQUEST_BODY_RATE_GRACE, "1s"));
    RawH2 h2 = RawH2.connect(proxy.port()).preface();
    clients.add(h2);
    h2.request(1, "POST", "/pkg.Service/Stream", false, "content-type", "application/grpc", "te", "trailers");
    await().atMost(WAIT).untilAsserted(() -> assertThat(origin.arrivals()).isEqualTo(1));
    // Past the grace period and the body timeout with nothing sent: a gRPC client may wait on the server.
    await().during(Duration.ofMillis(2500)).atMost(WAIT).untilAsserted(() ->
        assertThat(timeouts("request_body_rate") + timeouts("request_body_idle")).isZero());

    h2.data(1, "message", true);
    RawH2.Frame head = h2.await("HEADERS", WAIT);
    assertThat(head.status()).isEqualTo(200);
  }
}
