package batcycle.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The request log through a real proxy: one record per request, every field checked by value. */
class AccessLogIT {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final long APP_DELAY_MS = 50;
  /** Each record here describes one attempt; RetryIT covers how retries show in the log. */
  private static final Map<Key, String> NO_RETRIES = Map.of(Key.RETRY_MAX_ATTEMPTS, "1");

  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  /** An app that answers {@code body} after {@link #APP_DELAY_MS}, on a timer (never a sleep). */
  private static RecordingOrigin delayedOrigin(int status, String body) {
    return RecordingOrigin.start((request, requestBody) -> Vertx.currentContext().owner()
        .setTimer(APP_DELAY_MS, id -> request.response().setStatusCode(status).end(body)));
  }

  private HttpResponse<String> get(String pathAndQuery, String requestId) {
    return proxy.send(HttpRequest.newBuilder(proxy.uri(pathAndQuery)).timeout(BOUND)
        .header("X-Request-Id", requestId).build());
  }

  private AccessLogRecord recordOf(String requestId) {
    return await().atMost(BOUND).until(() -> proxy.accessLog().records().stream()
        .filter(r -> requestId.equals(r.requestId())).findFirst().orElse(null), r -> r != null);
  }

  private static RawResponse raw(int port, String request) throws IOException {
    try (RawHttp raw = RawHttp.connect(port)) {
      return raw.send(request).readResponse();
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void logsOneRecordPerRequestWithExactFieldsAndThePathWithoutItsQuery() {
    origin = delayedOrigin(200, "hello");
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));
    long before = System.currentTimeMillis();

    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders/7?token=abc&x=1"))
        .timeout(BOUND).header("X-Request-Id", "req-get-1").header("User-Agent", "probe/1.0 (test)").build());
    get("/second", "req-get-2");
    get("/third", "req-get-3");

    assertThat(response.statusCode()).isEqualTo(200);
    await().atMost(BOUND).until(() -> proxy.accessLog().records().size() >= 3);
    assertThat(proxy.accessLog().records()).extracting(AccessLogRecord::requestId)
        .containsExactlyInAnyOrder("req-get-1", "req-get-2", "req-get-3");
    AccessLogRecord r = proxy.accessLog().byRequestId("req-get-1");
    assertThat(r.timestampMillis()).isBetween(before, System.currentTimeMillis());
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/orders/7");
    assertThat(r.protocol()).isEqualTo("HTTP/1.1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.upstreamStatus()).isEqualTo(200);
    assertThat(r.client()).isEqualTo("127.0.0.1");
    assertThat(r.userAgent()).isEqualTo("probe/1.0 (test)");
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.flags()).isEmpty();
    assertThat(r.bytesIn()).isZero();
    assertThat(r.bytesOut()).isEqualTo("hello".length());
    assertThat(r.traceId()).isNull();
    assertThat(r.spanId()).isNull();
    assertThat(r.headers()).isEmpty();
    assertThat(r.upstreamMs()).isGreaterThanOrEqualTo(APP_DELAY_MS);
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(r.upstreamMs());
  }

  @Test
  void logsTheGeneratedRequestIdThatTheAppAndTheClientAlsoGetWhenTheClientsIdIsInvalid() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    HttpResponse<String> response = get("/ids", "not valid!");

    String id = response.headers().firstValue("x-request-id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(origin.last().header("x-request-id")).isEqualTo(id);
    await().atMost(BOUND).until(() -> !proxy.accessLog().records().isEmpty());
    assertThat(proxy.accessLog().records()).singleElement().extracting(AccessLogRecord::requestId).isEqualTo(id);
  }

  @Test
  void keepsTheQueryStringWhenIncludeQueryIsOn() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(withNoRetries(Key.ACCESS_LOG_INCLUDE_QUERY, "true")));

    get("/search?q=bikes&page=2", "req-query");

    assertThat(recordOf("req-query").path()).isEqualTo("/search?q=bikes&page=2");
  }

  @Test
  void countsRequestAndResponseBodyBytesOfAPost() {
    String responseBody = "r".repeat(321);
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response().end(responseBody)));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));
    String requestBody = "b".repeat(1234);

    HttpResponse<String> response = proxy.send(HttpRequest.newBuilder(proxy.uri("/upload")).timeout(BOUND)
        .header("X-Request-Id", "req-post").POST(HttpRequest.BodyPublishers.ofString(requestBody)).build());

    assertThat(response.body()).isEqualTo(responseBody);
    assertThat(origin.last().body().length()).isEqualTo(1234);
    AccessLogRecord r = recordOf("req-post");
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.bytesIn()).isEqualTo(1234);
    assertThat(r.bytesOut()).isEqualTo(321);
  }

  @Test
  void countsOnlyBodyBytesOfAChunkedResponseNotItsFraming() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      HttpServerResponse response = request.response().setChunked(true);
      response.write("a".repeat(100));
      response.write("b".repeat(100));
      response.end("c".repeat(100));
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    HttpResponse<String> response = get("/chunks", "req-chunked");

    assertThat(response.body()).hasSize(300);
    assertThat(recordOf("req-chunked").bytesOut()).isEqualTo(300);
  }

  @Test
  void logsHttp2ForAPriorKnowledgeClientAndHttp11Otherwise() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response().end("h2!")));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient h2 = vertx.createHttpClient(new HttpClientOptions()
          .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      HttpClientResponse response = Futures.await(h2.request(new RequestOptions().setMethod(HttpMethod.GET)
              .setHost("127.0.0.1").setPort(proxy.port()).setURI("/over-h2?x=1")
              .putHeader("x-request-id", "req-h2").putHeader("user-agent", "h2-probe"))
          .compose(request -> request.send()).compose(r -> r.body().map(b -> r)));
      assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
      // No content-length: batcycle peeks at the first DATA frame to learn there is a body; it still counts.
      Futures.await(h2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(proxy.port()).setURI("/h2-upload").putHeader("x-request-id", "req-h2-post"))
          .compose(request -> request.setChunked(true).send("u".repeat(777))).compose(r -> r.body()));
    } finally {
      Futures.await(vertx.close());
    }
    get("/over-h1", "req-h1");

    AccessLogRecord h2 = recordOf("req-h2");
    assertThat(h2.protocol()).isEqualTo("HTTP/2");
    assertThat(h2.path()).isEqualTo("/over-h2");
    assertThat(h2.status()).isEqualTo(200);
    assertThat(h2.upstreamStatus()).isEqualTo(200);
    assertThat(h2.bytesOut()).isEqualTo(3);
    assertThat(h2.userAgent()).isEqualTo("h2-probe");
    assertThat(h2.client()).isEqualTo("127.0.0.1");
    assertThat(h2.flags()).isEmpty();
    assertThat(recordOf("req-h2-post").bytesIn()).isEqualTo(777);
    assertThat(origin.received()).filteredOn(r -> r.uri().equals("/h2-upload")).singleElement()
        .satisfies(r -> assertThat(r.body().length()).isEqualTo(777));
    assertThat(recordOf("req-h1").protocol()).isEqualTo("HTTP/1.1");
  }

  @Test
  void logsTheAppsErrorStatusAsStatusAndUpstreamStatusWithoutFlags() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) ->
        request.response().setStatusCode(503).end("busy")));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    assertThat(get("/busy", "req-503").statusCode()).isEqualTo(503);

    AccessLogRecord r = recordOf("req-503");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.upstreamStatus()).isEqualTo(503);
    assertThat(r.flags()).isEmpty();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.bytesOut()).isEqualTo(4);
  }

  @Test
  void logsAMalformedRequestAsALocal400ThatNeverReachedTheApp() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    RawResponse response = raw(proxy.port(),
        "GET /twice HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nX-Request-Id: req-bad\r\n\r\n");

    assertThat(response.status()).isEqualTo(400);
    AccessLogRecord r = recordOf("req-bad");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.upstreamStatus()).isZero();
    assertThat(r.attempts()).isZero();
    assertThat(r.upstreamMs()).isZero();
    assertThat(r.flags().split(",")).contains("DPE", "LR");
    assertThat(r.path()).isEqualTo("/twice");
    assertThat(r.bytesOut()).isEqualTo(response.body().length);
    assertThat(origin.arrivals()).isZero();
  }

  @Test
  void logsARefusedConnectionToTheAppAs502WithConnectFailureAndLocalReplyFlags() throws IOException {
    proxy.start(ProxyHarness.forUpstream(closedPort()).with(NO_RETRIES));

    assertThat(get("/nobody-home", "req-refused").statusCode()).isEqualTo(502);

    AccessLogRecord r = recordOf("req-refused");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.upstreamStatus()).isZero();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.flags().split(",")).containsExactlyInAnyOrder("UF", "LR");
  }

  @Test
  void flagsAClientThatDisconnectsMidResponse() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      // Half a response: the rest never comes, so only the client leaving can end the exchange.
      request.response().setChunked(true).write("first part");
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      socket.setSoTimeout((int) BOUND.toMillis());
      socket.getOutputStream().write(("GET /stream HTTP/1.1\r\nHost: app\r\nX-Request-Id: req-dc\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readUntil(socket.getInputStream(), "first part")).startsWith("HTTP/1.1 200");
    }

    AccessLogRecord r = recordOf("req-dc");
    assertThat(r.flags().split(",")).contains("DC");
    assertThat(r.flags()).doesNotContain("LR");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.upstreamStatus()).isEqualTo(200);
    assertThat(r.bytesOut()).isEqualTo("first part".length());
  }

  @Test
  void flagsOnlyTheClientWhenItLeavesBeforeTheResponseHead() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> { })); // never answers
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      raw.send("GET /slow HTTP/1.1\r\nHost: app\r\nX-Request-Id: req-dc-early\r\n\r\n");
      await().atMost(BOUND).until(() -> origin.arrivals() == 1);
    }

    AccessLogRecord r = recordOf("req-dc-early");
    // batcycle reset the app's request because the client left; that is no upstream reset (UR).
    assertThat(r.flags()).isEqualTo("DC");
    assertThat(r.status()).isZero();
    assertThat(r.upstreamStatus()).isZero();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.bytesOut()).isZero();
  }

  @Test
  void flagsAResponseTimeoutAsUpstreamTimeoutAndLocalReply() {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> { })); // never answers
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(withNoRetries(Key.TIMEOUTS_RESPONSE, "200ms")));

    assertThat(get("/stuck", "req-timeout").statusCode()).isEqualTo(504);

    AccessLogRecord r = recordOf("req-timeout");
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.upstreamStatus()).isZero();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.flags().split(",")).containsExactlyInAnyOrder("UT", "LR");
    assertThat(r.upstreamMs()).isGreaterThanOrEqualTo(200);
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(r.upstreamMs());
  }

  @Test
  void flagsAnAppThatDropsTheConnectionMidResponseAsUpstreamReset() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      request.response().setChunked(true).write("partial").onComplete(written -> request.connection().close());
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      socket.setSoTimeout((int) BOUND.toMillis());
      socket.getOutputStream().write(("GET /cut HTTP/1.1\r\nHost: app\r\nX-Request-Id: req-ur\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readUntil(socket.getInputStream(), "partial")).startsWith("HTTP/1.1 200");
      // Stay until batcycle cuts the connection, or leaving first would make this a client disconnect.
      assertThat(readsToTheEnd(socket.getInputStream())).as("the truncated response never ends cleanly")
          .doesNotContain("0\r\n\r\n");
    }

    AccessLogRecord r = recordOf("req-ur");
    assertThat(r.flags()).isEqualTo("UR");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.upstreamStatus()).isEqualTo(200);
    assertThat(r.bytesOut()).isEqualTo("partial".length());
  }

  @Test
  void flagsAnAppResponseThatIsNotHttpAsUpstreamProtocolError() {
    Vertx vertx = Vertx.vertx();
    try {
      NetServer app = vertx.createNetServer().connectHandler(socket -> socket.handler(head -> {
        socket.write("SPDY/9 banana\r\n\r\n").onComplete(done -> socket.close());
      }));
      Futures.await(app.listen(0, "127.0.0.1"));
      proxy.start(ProxyHarness.forUpstream(app.actualPort()).with(NO_RETRIES));

      assertThat(get("/garbled", "req-upe").statusCode()).isEqualTo(502);

      AccessLogRecord r = recordOf("req-upe");
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.upstreamStatus()).isZero();
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.flags().split(",")).containsExactlyInAnyOrder("UPE", "LR");
    } finally {
      Futures.await(vertx.close());
    }
  }

  /** Reads until the peer closes or resets the connection (bounded by the socket timeout); returns what came. */
  private static String readsToTheEnd(InputStream in) throws IOException {
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        rest.write(buffer, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // A reset is how a proxy says a response was cut short.
    }
    return rest.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads until {@code marker} has arrived (bounded by the socket timeout); returns what was read. */
  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!seen.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("closed before " + marker + " arrived: " + seen.toString(StandardCharsets.ISO_8859_1));
      }
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void logsConfiguredHeadersAndRedactsSecretOnes() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(withNoRetries(
        Key.ACCESS_LOG_HEADERS, "x-tenant,authorization,cookie,X-Internal-Key,x-absent",
        Key.ACCESS_LOG_SECRET_HEADERS, "x-internal-key")));

    proxy.send(HttpRequest.newBuilder(proxy.uri("/h")).timeout(BOUND).header("X-Request-Id", "req-headers")
        .header("X-Tenant", "acme").header("Authorization", "Bearer top-secret-token")
        .header("Cookie", "session=cookie-secret").header("X-Internal-Key", "key-secret").build());

    AccessLogRecord r = recordOf("req-headers");
    assertThat(r.headers()).containsExactlyInAnyOrderEntriesOf(Map.of("x-tenant", "acme",
        "authorization", "[redacted]", "cookie", "[redacted]", "x-internal-key", "[redacted]"));
    for (AccessLogFormat format : AccessLogFormat.values()) {
      assertThat(format.encode(r)).as(format.name()).contains("acme")
          .doesNotContain("top-secret-token", "cookie-secret", "key-secret");
    }
    // Redacted in the log only: the app still gets the real values.
    assertThat(origin.last().header("authorization")).isEqualTo("Bearer top-secret-token");
  }

  @Test
  void samplesAwaySuccessfulRequestsButLogsEveryFailure() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      int status = switch (request.path()) {
        case "/missing" -> 404;
        case "/broken" -> 500;
        default -> 200;
      };
      request.response().setStatusCode(status).end();
    }));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(withNoRetries(Key.ACCESS_LOG_SAMPLE_SUCCESS, "0")));

    for (int i = 0; i < 5; i++) {
      assertThat(get("/fine", "req-ok-" + i).statusCode()).isEqualTo(200);
    }
    assertThat(get("/missing", "req-404").statusCode()).isEqualTo(404);
    assertThat(get("/broken", "req-500").statusCode()).isEqualTo(500);
    assertThat(raw(proxy.port(), "GET / HTTP/1.1\r\nX-Request-Id: req-400\r\n\r\n").status()).isEqualTo(400);

    await().atMost(BOUND).until(() -> proxy.accessLog().records().size() >= 3);
    // The successes ended before the failures were even sent, so a record of theirs would be here by now.
    assertThat(proxy.accessLog().records()).extracting(AccessLogRecord::requestId)
        .containsExactlyInAnyOrder("req-404", "req-500", "req-400");
    assertThat(proxy.accessLog().byRequestId("req-404").status()).isEqualTo(404);
    assertThat(proxy.accessLog().byRequestId("req-500").status()).isEqualTo(500);
    assertThat(proxy.accessLog().byRequestId("req-400").status()).isEqualTo(400);
  }

  @Test
  void neverLogsExcludedPathsExactOrByPrefix() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(withNoRetries(Key.ACCESS_LOG_EXCLUDE_PATHS, "/healthz,/internal/*")));

    List<String> excluded = List.of("/healthz", "/healthz?probe=1", "/internal/stats", "/internal/a/b");
    List<String> logged = List.of("/healthz/deep", "/healthzz", "/internal", "/internalx", "/orders");
    int i = 0;
    for (String path : excluded) {
      assertThat(get(path, "req-x-" + i++).statusCode()).isEqualTo(200);
    }
    for (String path : logged) {
      assertThat(get(path, "req-l-" + i++).statusCode()).isEqualTo(200);
    }

    await().atMost(BOUND).until(() -> proxy.accessLog().records().size() >= logged.size());
    Set<String> paths = proxy.accessLog().records().stream().map(AccessLogRecord::path).collect(Collectors.toSet());
    assertThat(paths).containsExactlyInAnyOrderElementsOf(logged);
    assertThat(origin.received()).hasSize(excluded.size() + logged.size()); // excluded from the log, not the app
  }

  @Test
  void takesTraceAndSpanIdsFromTheClientsTraceparent() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(NO_RETRIES));

    proxy.send(HttpRequest.newBuilder(proxy.uri("/traced")).timeout(BOUND).header("X-Request-Id", "req-trace")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build());

    AccessLogRecord r = recordOf("req-trace");
    assertThat(r.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(r.spanId()).isEqualTo("00f067aa0ba902b7");
  }

  @Test
  void writesARealRecordAsOneParsableJsonLineThroughTheStreamSink() throws IOException {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(withNoRetries(Key.ACCESS_LOG_HEADERS, "x-tenant,authorization")));
    // Quotes, a backslash and an obs-text byte (0xFC, which Netty reads as ISO-8859-1 'ü') must survive JSON.
    String userAgent = "odd \"agent\" \\ f\u00fcr";
    assertThat(raw(proxy.port(), "GET /json?q=1 HTTP/1.1\r\nHost: app\r\nX-Request-Id: req-json\r\n"
        + "User-Agent: " + userAgent + "\r\nX-Tenant: blue\r\nAuthorization: Basic Zm9vOmJhcg==\r\n"
        + "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n").status()).isEqualTo(200);
    AccessLogRecord r = recordOf("req-json");
    assertThat(r.userAgent()).isEqualTo(userAgent);

    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    StreamAccessLogSink sink = new StreamAccessLogSink(stdout, AccessLogFormat.JSON, 16, new SimpleMeterRegistry());
    sink.offer(r);
    sink.close();

    String written = stdout.toString(StandardCharsets.UTF_8);
    assertThat(written).endsWith("\n").hasLineCount(1);
    JsonObject json = new JsonObject(written.strip());
    assertThat(json.fieldNames()).containsExactly(AccessLogRecord.TS, AccessLogRecord.REQUEST_ID,
        AccessLogRecord.TRACE_ID, AccessLogRecord.SPAN_ID, AccessLogRecord.CLIENT, AccessLogRecord.METHOD,
        AccessLogRecord.PATH, AccessLogRecord.PROTOCOL, AccessLogRecord.DIRECTION, AccessLogRecord.UPSTREAM,
        AccessLogRecord.UPSTREAM_HOST, AccessLogRecord.STATUS, AccessLogRecord.UPSTREAM_STATUS,
        AccessLogRecord.BYTES_IN, AccessLogRecord.BYTES_OUT, AccessLogRecord.DURATION_MS,
        AccessLogRecord.UPSTREAM_MS, AccessLogRecord.ATTEMPTS, AccessLogRecord.RETRY_REASONS, AccessLogRecord.FLAGS,
        AccessLogRecord.USER_AGENT,
        AccessLogRecord.HEADERS);
    assertThat(java.time.Instant.parse(json.getString("ts")).toEpochMilli()).isEqualTo(r.timestampMillis());
    assertThat(json.getString("request_id")).isEqualTo("req-json");
    assertThat(json.getString("trace_id")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(json.getString("span_id")).isEqualTo("b7ad6b7169203331");
    assertThat(json.getString("client")).isEqualTo("127.0.0.1");
    assertThat(json.getString("method")).isEqualTo("GET");
    assertThat(json.getString("path")).isEqualTo("/json");
    assertThat(json.getString("protocol")).isEqualTo("HTTP/1.1");
    assertThat(json.getInteger("status")).isEqualTo(200);
    assertThat(json.getInteger("upstream_status")).isEqualTo(200);
    assertThat(json.getLong("bytes_in")).isZero();
    assertThat(json.getLong("bytes_out")).isEqualTo(2);
    assertThat(json.getDouble("duration_ms")).isCloseTo(r.durationMs(), org.assertj.core.data.Offset.offset(0.001));
    assertThat(json.getDouble("upstream_ms")).isCloseTo(r.upstreamMs(), org.assertj.core.data.Offset.offset(0.001));
    assertThat(json.getInteger("attempts")).isEqualTo(1);
    assertThat(json.getString("flags")).isEmpty();
    assertThat(json.getString("user_agent")).isEqualTo(userAgent);
    assertThat(json.getJsonObject("headers").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("x-tenant", "blue", "authorization", "[redacted]"));
  }

  private static Map<Key, String> withNoRetries(Object... keysAndValues) {
    Map<Key, String> values = new java.util.HashMap<>(NO_RETRIES);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      values.put((Key) keysAndValues[i], (String) keysAndValues[i + 1]);
    }
    return values;
  }
}
