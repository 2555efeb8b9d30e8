package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow clients (slowloris): a request head that trickles in is cut off by {@code timeouts.requestHeader} on the
 * first request of a connection and on keep-alive reuses, while idle keep-alive connections and heads that arrive
 * in pieces in time are left alone; a body trickled slower than the request deadline is cut off too, the request
 * to the app is cancelled, and nothing stays open.
 */
class SlowClientIT {
  private static final String CRLF = "\r\n";
  private static final String GET = "GET /slow HTTP/1.1" + CRLF + "Host: h" + CRLF + CRLF;
  /** Far longer than any timeout here, so only batcycle can end a trickle of it early. */
  private static final String LONG_HEADER = "X-Padding: " + "a".repeat(400) + CRLF;
  private static final Duration GAP = Duration.ofMillis(100);
  private static final Duration TRICKLE_LIMIT = Duration.ofSeconds(30);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private Vertx appVertx;

  private void start(String requestHeaderTimeout) {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.TIMEOUTS_REQUEST_HEADER, requestHeaderTimeout)
        .with(Key.TIMEOUTS_CLIENT_IDLE, "60s"));
  }

  private double headTimeouts() {
    return proxy.metric("batcycle_connections_rejected_total", "reason", "request_header_timeout");
  }

  @Test
  void aTrickledFirstRequestHeadGets408AndTheConnectionIsClosed() throws Exception {
    start("1s");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      client.send("GET /slow HTTP/1.1" + CRLF + "Host: h" + CRLF);
      // The idle timeout (60 s) never fires: a byte arrives every 100 ms.
      assertThat(client.trickle(LONG_HEADER, GAP, TRICKLE_LIMIT)).isEqualTo(SlowClient.Reaction.ANSWERED);
      SlowClient.Response response = client.readResponse();
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.headers()).containsEntry("connection", "close");
      assertThat(response.body()).contains("request head");
      assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    assertThat(origin.arrivals()).isZero();
    await().untilAsserted(() -> assertThat(headTimeouts()).isEqualTo(1.0));
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_connections_active")).isZero());
  }

  @Test
  void aPartialHeadThatThenStopsIsCutOffLongBeforeTheIdleTimeout() throws Exception {
    start("1s");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      client.send("GET /slow HTTP/1.1" + CRLF + "Host: h" + CRLF);
      // The read timeout (20 s) is a third of the idle timeout: a response here came from the head timeout.
      assertThat(client.readResponse().status()).isEqualTo(408);
      assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    assertThat(origin.arrivals()).isZero();
  }

  @Test
  void aTrickledHeadOnAKeepAliveReuseIsTimedToo() throws Exception {
    start("1s");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      SlowClient.Response first = client.send(GET).readResponse();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("ok");
      client.send("GET /second HTTP/1.1" + CRLF + "Host: h" + CRLF);
      assertThat(client.trickle(LONG_HEADER, GAP, TRICKLE_LIMIT)).isEqualTo(SlowClient.Reaction.ANSWERED);
      assertThat(client.readResponse().status()).isEqualTo(408);
      assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/slow");
    await().untilAsserted(() -> assertThat(headTimeouts()).isEqualTo(1.0));
  }

  @Test
  void anIdleKeepAliveConnectionIsNotCutByTheHeadTimeout() throws Exception {
    start("300ms");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      assertThat(client.send(GET).readResponse().status()).isEqualTo(200);
      // Idle well past the head timeout: the clock starts at the next head's first byte, not at the response.
      assertThat(client.isClosedByPeer(Duration.ofSeconds(2))).isFalse();
      assertThat(client.send(GET).readResponse().status()).isEqualTo(200);
    }
    assertThat(origin.received()).hasSize(2);
    assertThat(headTimeouts()).isZero();
  }

  @Test
  void aHeadArrivingInPiecesWithinTheTimeoutIsServed() throws Exception {
    start("20s");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      // Every byte alone, 100 ms apart: about 6 s in all, well within the 20 s allowed.
      // The answer may take longer than the last gap on a busy machine: what matters is that it is not cut off.
      assertThat(client.trickle("GET /pieces HTTP/1.1" + CRLF + "Host: h" + CRLF + "X-A: b" + CRLF + CRLF,
          Duration.ofMillis(100), TRICKLE_LIMIT)).isNotEqualTo(SlowClient.Reaction.CLOSED);
      assertThat(client.readResponse().status()).isEqualTo(200);
      assertThat(client.send(GET).readResponse().status()).isEqualTo(200);
    }
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/pieces", "/slow");
    assertThat(headTimeouts()).isZero();
  }

  @Test
  void zeroSwitchesTheHeadTimeoutOff() throws Exception {
    start("0");
    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      client.send("GET /slow HTTP/1.1" + CRLF + "Host: h" + CRLF);
      assertThat(client.isClosedByPeer(Duration.ofSeconds(2))).isFalse();
      assertThat(client.send("X-Late: yes" + CRLF + CRLF).readResponse().status()).isEqualTo(200);
    }
    assertThat(origin.last().header("x-late")).isEqualTo("yes");
  }

  /**
   * A body streaming to the app (read-ahead off here; a longer body streams past it too) is also bounded by the
   * whole-request deadline ({@code timeouts.request}): the app cannot answer before the body is in, so the deadline
   * passes, the client gets 504, and the request to the app is reset. (SlowBodyIT covers the read-ahead and the
   * body pace, which usually cut such a client off first.)
   */
  @Test
  void aBodyTrickledSlowerThanTheRequestDeadlineIsCutOffAndTheAppSideCancelled() throws Exception {
    appVertx = Vertx.vertx();
    proxy.closesAfter(() -> Futures.await(appVertx.close()));
    AtomicLong bodyBytesAtApp = new AtomicLong();
    Promise<Void> appSawRequest = Promise.promise();
    Promise<Void> appSawAbort = Promise.promise();
    HttpServer app = appVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> {
          appSawRequest.tryComplete();
          request.handler(chunk -> bodyBytesAtApp.addAndGet(chunk.length()));
          request.exceptionHandler(cause -> appSawAbort.tryComplete());
          request.connection().closeHandler(v -> appSawAbort.tryComplete());
          request.endHandler(v -> request.response().end("whole body")); // must never happen
        });
    Futures.await(app.listen());
    proxy.start(ProxyHarness.forUpstream(app.actualPort()).with(Key.TIMEOUTS_REQUEST, "1s")
        .with(Key.TIMEOUTS_RESPONSE, "1s").with(Key.TIMEOUTS_UPSTREAM_IDLE, "60s").with(Key.TIMEOUTS_CLIENT_IDLE, "60s")
        .with(Key.BUFFER_REQUEST_BODY, "0"));

    try (var client = SlowClient.connect(proxy.port(), READ_TIMEOUT)) {
      String body = "b".repeat(300); // at 10 bytes a second, 30 s: 30 times the deadline
      client.send("POST /upload HTTP/1.1" + CRLF + "Host: h" + CRLF + "Content-Length: " + body.length()
          + CRLF + CRLF);
      assertThat(client.trickle(body, GAP, TRICKLE_LIMIT)).isNotEqualTo(SlowClient.Reaction.ALL_SENT);
      SlowClient.Response response = client.readResponse();
      assertThat(response.status()).isEqualTo(504);
      assertThat(response.headers()).containsEntry("x-batcycle-error", "upstream_response_timeout");
      // A request whose body was not read to its end cannot be followed by another one.
      assertThat(client.isClosedByPeer(READ_TIMEOUT)).isTrue();
    }
    Futures.await(appSawRequest.future());
    Futures.await(appSawAbort.future());
    assertThat(bodyBytesAtApp.get()).isLessThan(300);
    await().untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_requests_active")).isZero();
      assertThat(proxy.metric("batcycle_upstream_requests_active")).isZero();
      assertThat(proxy.metric("batcycle_connections_active")).isZero();
      assertThat(proxy.metric("batcycle_concurrency_active")).isZero();
    });
  }
}
