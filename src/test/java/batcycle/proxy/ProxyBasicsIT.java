package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.http.HttpServerRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain proxying through a real batcycle: methods, bodies, keep-alive, pooling, body-less responses, 100-continue. */
class ProxyBasicsIT {
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private void start(RecordingOrigin.Responder responder, Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start(responder));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
  }

  private static void echoMethodAndBody(HttpServerRequest request, io.vertx.core.buffer.Buffer body) {
    request.response().end(request.method().name() + " " + request.uri() + " " + body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "PURGE"})
  void forwardsEveryMethodWithItsBody(String method) {
    start(ProxyBasicsIT::echoMethodAndBody, Map.of());
    var publisher = method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString("payload-" + method);
    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/m?x=1")).method(method, publisher)
        .build());

    assertThat(response.statusCode()).isEqualTo(200);
    String expectedBody = method.equals("GET") ? "" : "payload-" + method;
    assertThat(response.body()).isEqualTo(method + " /m?x=1 " + expectedBody);
    assertThat(origin.received()).singleElement().satisfies(r -> assertThat(r.method()).isEqualTo(method));
  }

  @Test
  void streamsChunkedBodiesBothWays() throws Exception {
    start((request, body) -> request.response().setChunked(true).write("part1-").compose(v ->
        request.response().end(body.toString())), Map.of());
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("POST /up HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
      RawResponse response = raw.readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.complete()).isTrue();
      assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(response.bodyText()).isEqualTo("part1-hello world");
    }
    assertThat(origin.last().body().toString()).isEqualTo("hello world");
    assertThat(origin.last().header("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void keepsClientConnectionsAliveAndPoolsUpstreamConnections() throws Exception {
    start((request, body) -> request.response().end("n"), Map.of(Key.EVENT_LOOPS, "1"));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      for (int i = 0; i < 20; i++) {
        raw.send("GET /" + i + " HTTP/1.1\r\nHost: app\r\n\r\n");
        RawResponse response = raw.readResponse();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("n");
      }
    }
    assertThat(origin.received()).hasSize(20);
    // Sequential requests reuse one pooled keep-alive connection to the app.
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void neverOpensMoreUpstreamConnectionsThanThePoolAllows() {
    // The origin holds every response for 100 ms so that concurrent requests need concurrent connections.
    RecordingOrigin[] self = new RecordingOrigin[1];
    start((request, body) -> self[0].vertx().setTimer(100, t -> request.response().end("ok")),
        Map.of(Key.EVENT_LOOPS, "1", Key.POOL_MAX_CONNECTIONS, "3"));
    self[0] = origin;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      responses.add(proxy.client().sendAsync(HttpRequest.newBuilder(proxy.uri("/c" + i)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    responses.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));
    assertThat(origin.received()).hasSize(12);
    assertThat(origin.maxOpenConnections()).isBetween(1, 3);
  }

  @Test
  void sendsNoBodyForHeadAndKeepsTheConnectionUsable() throws Exception {
    start((request, body) -> request.response().putHeader("content-length", "1000").end(
        request.method().name().equals("HEAD") ? io.vertx.core.buffer.Buffer.buffer()
            : io.vertx.core.buffer.Buffer.buffer(new byte[1000])), Map.of());
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("HEAD /h HTTP/1.1\r\nHost: app\r\n\r\n");
      RawResponse head = raw.readHeadResponse();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("1000");
      assertThat(head.body()).isEmpty();
      raw.send("GET /after HTTP/1.1\r\nHost: app\r\n\r\n");
      RawResponse next = raw.readResponse();
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).hasSize(1000);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {204, 304})
  void sendsNoBodyFor204And304(int status) throws Exception {
    start((request, body) -> request.response().setStatusCode(status).putHeader("etag", "\"v1\"").end(),
        Map.of());
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("GET /x HTTP/1.1\r\nHost: app\r\n\r\n");
      RawResponse response = raw.readResponse();
      assertThat(response.status()).isEqualTo(status);
      assertThat(response.body()).isEmpty();
      assertThat(response.headers().contains("transfer-encoding")).isFalse();
      raw.send("GET /after HTTP/1.1\r\nHost: app\r\n\r\n");
      assertThat(raw.readResponse().status()).isEqualTo(status);
    }
  }

  @Test
  void answersExpectContinueThenForwardsTheBody() throws Exception {
    start(ProxyBasicsIT::echoMethodAndBody, Map.of());
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("PUT /doc HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawResponse interim = raw.readResponse();
      assertThat(interim.status()).isEqualTo(100);
      raw.send("hello");
      RawResponse response = raw.readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("PUT /doc hello");
    }
    // batcycle answered the expectation itself; the app gets a plain request.
    assertThat(origin.last().header("expect")).isNull();
  }

  @Test
  void answersExpectContinueAtOnceWhenTheBodyIsReadAheadThenTheFailure() throws Exception {
    proxy.start(ProxyHarness.forUpstream(deadPort()));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("PUT /doc HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      // batcycle wants the body now (it is read before the app is involved), as nginx and Envoy do.
      assertThat(raw.readResponse().status()).isEqualTo(100);
      RawResponse response = raw.send("hello").readResponse();
      assertThat(response.status()).isEqualTo(502);
    }
  }

  @Test
  void answersExpectContinueFailureWithoutWaitingForTheBodyWhenNotReadingAhead() throws Exception {
    proxy.start(ProxyHarness.forUpstream(deadPort()).with(Key.BUFFER_REQUEST_BODY, "0"));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("PUT /doc HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawResponse response = raw.readResponse();
      assertThat(response.status()).isEqualTo(502);
      // The body was never read, so the connection cannot be reused safely.
      assertThat(response.header("connection")).isEqualTo("close");
      assertThat(raw.isClosedByPeer()).isTrue();
    }
  }

  /** A port nothing listens on any more. */
  private int deadPort() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    int port = origin.port();
    origin.close();
    origin = null;
    return port;
  }

  @Test
  void servesFromAsManyEventLoopsAsConfigured() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.EVENT_LOOPS, "3"));
    assertThat(proxy.get("/").statusCode()).isEqualTo(200);
    assertThat(proxy.proxyInstances()).isEqualTo(3);
  }

  @Test
  void answersAnOriginFormTargetWithTheQueryIntact() {
    start(ProxyBasicsIT::echoMethodAndBody, Map.of());
    HttpResponse<String> response = proxy.get("/a%20b/c?q=1&r=%2F#");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(origin.last().uri()).isEqualTo("/a%20b/c?q=1&r=%2F");
  }

  @Test
  void answersHttp10ClientsWithoutChunking() throws Exception {
    start((request, body) -> request.response().setChunked(true).end("streamed"), Map.of());
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("GET /old HTTP/1.0\r\n\r\n");
      RawResponse response = raw.readResponse();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers().contains("transfer-encoding")).isFalse();
      assertThat(response.bodyText()).isEqualTo("streamed");
    }
  }
}
