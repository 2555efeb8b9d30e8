package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the client sees when the app fails: refused, slow to connect, silent, stalled or dying mid-body, or answering
 * with bytes that are not valid HTTP. A failure before the response head is a short 502/504 naming the request id;
 * a failure after it cuts the client connection, so a truncated body never looks complete. And when the client
 * goes away, the app's side is torn down too.
 */
class UpstreamFailureIT {
  private static final String CRLF = "\r\n";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration BOUND = Duration.ofSeconds(10);

  /** Everything a test starts, closed in reverse order after it. */
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    started.add(resource);
    return resource;
  }

  private ProxyHarness proxy(int upstreamPort, Map<Key, String> overrides) {
    return own(ProxyHarness.forUpstream(upstreamPort).with(overrides).start());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1" + CRLF + "Host: app.test" + CRLF + "X-Request-Id: abc-123" + CRLF + CRLF;
  }

  private static RawResponse roundTrip(ProxyHarness proxy, String raw) throws IOException {
    try (var http = RawHttp.connect(proxy.port())) {
      return http.send(raw).readResponse();
    }
  }

  private static void assertGeneratedError(RawResponse response, int status, String code) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("x-batcycle-error")).isEqualTo(code);
    assertThat(response.header("x-request-id")).isEqualTo("abc-123");
    assertThat(response.bodyText()).contains("request id abc-123").hasSizeLessThan(512);
    assertThat(response.complete()).isTrue();
  }

  @Test
  void answers502NamingTheRequestIdWhenTheAppRefusesTheConnection() throws IOException {
    int closedPort;
    try (var socket = new ServerSocket(0, 1, LOOPBACK)) {
      closedPort = socket.getLocalPort();
    }
    var proxy = proxy(closedPort, Map.of());
    assertGeneratedError(roundTrip(proxy, get("/refused")), 502, "upstream_connect_failure");
  }

  @Test
  void answers504WhenTheConnectionToTheAppCannotBeOpenedInTime() throws IOException {
    // A listener that never accepts, with its accept queue filled: Linux then drops further SYNs, so a connect
    // neither succeeds nor is refused, which is what a connect timeout needs, on loopback only.
    var listener = own(new ServerSocket(0, 1, LOOPBACK));
    fillAcceptQueue(listener.getLocalPort());
    var proxy = proxy(listener.getLocalPort(), Map.of(Key.TIMEOUTS_CONNECT, "300ms"));
    assertGeneratedError(roundTrip(proxy, get("/slow-connect")), 504, "upstream_connect_timeout");
  }

  /** Opens connections nobody accepts until one cannot complete; bounded, so a kernel that never drops SYNs fails. */
  private void fillAcceptQueue(int port) throws IOException {
    for (int i = 0; i < 64; i++) {
      var socket = own(new Socket());
      try {
        socket.connect(new InetSocketAddress(LOOPBACK, port), 200);
      } catch (SocketTimeoutException full) {
        return;
      }
    }
    throw new AssertionError("the accept queue of a backlog-1 listener never filled up");
  }

  @Test
  void answers504WhenTheAppSendsNoResponseHeadInTime() throws IOException {
    var origin = own(RecordingOrigin.start((request, body) -> { })); // never answers
    // One attempt: a timed-out GET would otherwise be retried (RetryIT covers that).
    var proxy = proxy(origin.port(), Map.of(Key.TIMEOUTS_RESPONSE, "300ms", Key.RETRY_MAX_ATTEMPTS, "1"));
    assertGeneratedError(roundTrip(proxy, get("/silent")), 504, "upstream_response_timeout");
    assertThat(origin.received()).filteredOn(r -> !MalformedRequestIT.isStray(r)).hasSize(1);
  }

  static Stream<Arguments> framings() {
    return Stream.of(Arguments.of("content-length", false), Arguments.of("chunked", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void cutsTheClientOffWhenTheAppStallsMidBody(String framing, boolean chunked) throws IOException {
    var origin = own(RecordingOrigin.start((request, body) -> startBody(request.response(), chunked)));
    var proxy = proxy(origin.port(), Map.of(Key.TIMEOUTS_UPSTREAM_IDLE, "300ms"));
    RawResponse response = roundTrip(proxy, get("/stall"));
    assertTruncated(response, chunked);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void answers504WhenTheAppStallsAfterItsHeadBeforeAnyBodyByte(String framing, boolean chunked) throws IOException {
    var origin = own(RecordingOrigin.start((request, body) -> {
      HttpServerResponse response = request.response();
      if (chunked) {
        response.setChunked(true);
      } else {
        response.putHeader("content-length", "1000");
      }
      response.writeHead();
    }));
    var proxy = proxy(origin.port(), Map.of(Key.TIMEOUTS_UPSTREAM_IDLE, "300ms"));
    RawResponse response = roundTrip(proxy, get("/stall-after-head"));
    assertGeneratedError(response, 504, "upstream_idle_timeout");
    assertThat(response.header("content-length")).isNotEqualTo("1000");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void cutsTheClientOffWhenTheAppClosesMidBody(String framing, boolean chunked) throws IOException {
    var origin = own(RecordingOrigin.start((request, body) ->
        startBody(request.response(), chunked).onComplete(written -> request.connection().close())));
    var proxy = proxy(origin.port(), Map.of());
    RawResponse response = roundTrip(proxy, get("/dies"));
    assertTruncated(response, chunked);
  }

  /** Sends the head and the first part of a 1000-byte body, and never the rest. */
  private static Future<Void> startBody(HttpServerResponse response, boolean chunked) {
    if (chunked) {
      response.setChunked(true);
    } else {
      response.putHeader("content-length", "1000");
    }
    return response.write("partial-body");
  }

  private static void assertTruncated(RawResponse response, boolean chunked) {
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText()).startsWith("partial-body");
    assertThat(response.complete()).as("a truncated body must never look complete").isFalse();
    if (chunked) {
      assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
    } else {
      assertThat(response.header("content-length")).isEqualTo("1000");
    }
  }

  /** How batcycle must end an exchange whose response is not valid HTTP. */
  enum Verdict {
    /** Caught before any of the response reached the client (in the head, or the body's first bytes): a 502. */
    BAD_GATEWAY,
    /** Caught after body bytes went out: the client connection is cut and the body is incomplete. */
    CUT_OFF
  }

  static Stream<Arguments> invalidResponses() {
    String chunkedHead = "HTTP/1.1 200 OK" + CRLF + "Transfer-Encoding: chunked" + CRLF + CRLF;
    return Stream.of(
        Arguments.of("garbage status code", Verdict.BAD_GATEWAY,
            "HTTP/1.1 abc Garbage" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"),
        Arguments.of("no status line at all", Verdict.BAD_GATEWAY, "hello, this is not HTTP" + CRLF + CRLF),
        Arguments.of("unknown protocol version", Verdict.BAD_GATEWAY,
            "HTTP/9.9 200 OK" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"),
        Arguments.of("conflicting Content-Length", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + "Content-Length: 3" + CRLF + CRLF + "ok!"),
        Arguments.of("Content-Length list '2, 3'", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2, 3" + CRLF + CRLF + "ok!"),
        Arguments.of("Content-Length -1", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "Content-Length: -1" + CRLF + CRLF + "ok"),
        Arguments.of("Content-Length and Transfer-Encoding chunked", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + "Transfer-Encoding: chunked" + CRLF + CRLF
                + "2" + CRLF + "ok" + CRLF + "0" + CRLF + CRLF),
        Arguments.of("header value with a bare CR", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "X-A: a\rb" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"),
        Arguments.of("header value with NUL", Verdict.BAD_GATEWAY,
            "HTTP/1.1 200 OK" + CRLF + "X-A: a\0b" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"),
        Arguments.of("body shorter than Content-Length, then close", Verdict.CUT_OFF,
            "HTTP/1.1 200 OK" + CRLF + "Content-Length: 10" + CRLF + CRLF + "ok"),
        Arguments.of("invalid chunk size", Verdict.BAD_GATEWAY, chunkedHead + "zz" + CRLF + "ok" + CRLF + "0" + CRLF + CRLF),
        Arguments.of("chunk size overflowing 64 bits", Verdict.BAD_GATEWAY,
            chunkedHead + "fffffffffffffffff2" + CRLF + "ok" + CRLF + "0" + CRLF + CRLF),
        Arguments.of("chunk data not followed by CRLF", Verdict.CUT_OFF,
            chunkedHead + "2" + CRLF + "okXX" + CRLF + "0" + CRLF + CRLF),
        Arguments.of("chunk data longer than its size, then a fake last chunk", Verdict.CUT_OFF,
            chunkedHead + "2" + CRLF + "ok" + CRLF + "5" + CRLF + "okokokok" + CRLF + "0" + CRLF + CRLF),
        Arguments.of("chunked body with bare LF framing", Verdict.BAD_GATEWAY, chunkedHead + "2\nok\n0\n\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidResponses")
  void neverPassesAnInvalidResponseOnAsValid(String name, Verdict verdict, String reply) throws IOException {
    var origin = own(new RawOrigin(connection -> reply));
    var proxy = proxy(origin.port(), Map.of());
    RawResponse response = roundTrip(proxy, get("/invalid"));
    if (verdict == Verdict.BAD_GATEWAY) {
      assertThat(response.status()).isEqualTo(502);
      assertThat(response.header("x-batcycle-error")).isIn("upstream_protocol_error", "upstream_reset");
      assertGeneratedError(response, 502, response.header("x-batcycle-error"));
    } else {
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.complete()).as("a body the app broke must never look complete").isFalse();
    }
  }

  // ---- 101 only for a real, matching upgrade; other interim responses

  private static final String WEBSOCKET_KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3's example

  private static String webSocketHandshake() {
    return "GET /ws HTTP/1.1" + CRLF + "Host: app.test" + CRLF + "X-Request-Id: abc-123" + CRLF
        + "Upgrade: websocket" + CRLF + "Connection: Upgrade" + CRLF + "Sec-WebSocket-Key: " + WEBSOCKET_KEY + CRLF
        + "Sec-WebSocket-Version: 13" + CRLF + CRLF;
  }

  @Test
  void answers502AtOnceWhenTheAppSwitchesProtocolsOnARequestThatAskedForNoUpgrade() throws IOException {
    // The app keeps the connection open after its bare 101: a relayed 101 would leave the client hanging.
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 101 Switching Protocols" + CRLF + "Upgrade: foo" + CRLF
        + "Connection: upgrade" + CRLF + CRLF, false));
    var proxy = proxy(origin.port(), Map.of(Key.RETRY_MAX_ATTEMPTS, "1"));
    String post = "POST /plain HTTP/1.1" + CRLF + "Host: app.test" + CRLF + "X-Request-Id: abc-123" + CRLF
        + "Content-Length: 5" + CRLF + CRLF + "hello";
    assertGeneratedError(roundTrip(proxy, post), 502, "upstream_protocol_error");
  }

  @Test
  void answers502WhenTheAppsWebSocketAcceptDoesNotMatchTheClientsKey() throws IOException {
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 101 Switching Protocols" + CRLF + "Upgrade: websocket"
        + CRLF + "Connection: Upgrade" + CRLF + "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBhbnN3ZXI=" + CRLF + CRLF,
        false));
    var proxy = proxy(origin.port(), Map.of());
    assertGeneratedError(roundTrip(proxy, webSocketHandshake()), 502, "upstream_protocol_error");
  }

  @Test
  void answers502WhenTheAppSwitchesAWebSocketHandshakeToAnotherProtocol() throws IOException {
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 101 Switching Protocols" + CRLF + "Upgrade: h2c" + CRLF
        + "Connection: Upgrade" + CRLF + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" + CRLF + CRLF, false));
    var proxy = proxy(origin.port(), Map.of());
    assertGeneratedError(roundTrip(proxy, webSocketHandshake()), 502, "upstream_protocol_error");
  }

  @Test
  void relaysEarlyHintsAndDropsTheAppsOtherInterimResponses() throws IOException {
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 102 Processing" + CRLF + CRLF
        + "HTTP/1.1 103 Early Hints" + CRLF + "Link: </style.css>; rel=preload" + CRLF + "Connection: X-Hop" + CRLF
        + "X-Hop: 1" + CRLF + CRLF
        + "HTTP/1.1 100 Continue" + CRLF + CRLF
        + "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"));
    var proxy = proxy(origin.port(), Map.of());
    try (var http = RawHttp.connect(proxy.port())) {
      http.send(get("/hints"));
      RawResponse hints = http.readResponse();
      assertThat(hints.status()).isEqualTo(103);
      assertThat(hints.header("link")).isEqualTo("</style.css>; rel=preload");
      assertThat(hints.headers().contains("x-hop")).isFalse(); // the response header policy applies to it too
      RawResponse last = http.readResponse();
      assertThat(last.status()).isEqualTo(200);
      assertThat(last.bodyText()).isEqualTo("ok");
    }
  }

  @Test
  void sendsAnHttp10ClientNoInterimResponseAndAnHttp11StatusLine() throws IOException {
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 103 Early Hints" + CRLF + "Link: </a.css>" + CRLF + CRLF
        + "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"));
    var proxy = proxy(origin.port(), Map.of());
    try (var socket = new java.net.Socket(LOOPBACK, proxy.port())) {
      socket.setSoTimeout((int) BOUND.toMillis());
      socket.getOutputStream().write(("GET /old HTTP/1.0" + CRLF + "X-Request-Id: abc-123" + CRLF + CRLF)
          .getBytes(StandardCharsets.ISO_8859_1));
      // No keep-alive was asked for: the response ends with the connection, so all of it can be read.
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 200 "); // RFC 9110 §6.2: the server's own version
      assertThat(response.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n")
          .doesNotContain(" 103 ").endsWith("\r\n\r\nok");
    }
  }

  @Test
  void relaysEarlyHintsToAnHttp2Client() throws IOException {
    var origin = own(new RawOrigin(connection -> "HTTP/1.1 103 Early Hints" + CRLF + "Link: </a.css>" + CRLF + CRLF
        + "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"));
    var proxy = proxy(origin.port(), Map.of());
    try (var h2 = batcycle.testing.RawH2.connect(proxy.port()).preface()) {
      h2.request(1, "GET", "/hints", true, "x-request-id", "abc-123");
      var hints = h2.await("HEADERS", java.time.Duration.ofSeconds(10));
      assertThat(hints.status()).isEqualTo(103);
      assertThat(hints.endStream()).isFalse();
      assertThat(hints.headers().get("link").toString()).isEqualTo("</a.css>");
      assertThat(h2.await("HEADERS", java.time.Duration.ofSeconds(10)).status()).isEqualTo(200);
    }
  }

  @Test
  void answers502WhenTheAppClosesWithoutAnyResponse() throws IOException {
    var origin = own(new RawOrigin(connection -> ""));
    var proxy = proxy(origin.port(), Map.of());
    assertGeneratedError(roundTrip(proxy, get("/empty")), 502, "upstream_reset");
  }

  @Test
  void neverTakesBytesBeyondTheAppsContentLengthForTheNextResponse() throws IOException {
    // Response queue poisoning: what follows a complete response on a kept-alive connection is no response to
    // anything, and must not be served to the next request that reuses the pooled connection.
    String poisoned = "HTTP/1.1 200 OK" + CRLF + "Content-Length: 2" + CRLF + CRLF + "ok"
        + "HTTP/1.1 200 OK" + CRLF + "Content-Length: 7" + CRLF + CRLF + "SPOOFED";
    String fresh = "HTTP/1.1 200 OK" + CRLF + "Content-Length: 5" + CRLF + CRLF + "fresh";
    var origin = own(new RawOrigin(connection -> connection == 0 ? poisoned : fresh, false));
    var proxy = proxy(origin.port(), Map.of(Key.TIMEOUTS_RESPONSE, "2s", Key.EVENT_LOOPS, "1"));
    RawResponse first = roundTrip(proxy, get("/first"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.bodyText()).isEqualTo("ok");
    assertThat(first.complete()).isTrue();
    RawResponse second = roundTrip(proxy, get("/second"));
    assertThat(second.bodyText()).doesNotContain("SPOOFED");
    assertThat(second.status()).isIn(200, 502, 504);
  }

  @Test
  void closesTheAppsResponseWhenTheClientGoesAwayMidDownload() throws IOException {
    var appSawClose = new AtomicBoolean();
    var chunksWritten = new AtomicInteger();
    var origin = own(RecordingOrigin.start((request, body) -> {
      HttpServerResponse response = request.response().setChunked(true);
      Vertx vertx = Vertx.currentContext().owner();
      Buffer chunk = Buffer.buffer("x".repeat(16 * 1024));
      long timer = vertx.setPeriodic(10, id -> {
        // Bounded: 2000 chunks of 16 KiB at 10 ms, 20 s at most, far beyond the test's wait.
        if (response.closed() || chunksWritten.get() >= 2000) {
          vertx.cancelTimer(id);
          return;
        }
        if (!response.writeQueueFull()) {
          response.write(chunk).onFailure(cause -> appSawClose.set(true));
          chunksWritten.incrementAndGet();
        }
      });
      response.closeHandler(v -> {
        appSawClose.set(true);
        vertx.cancelTimer(timer);
      });
    }));
    var proxy = proxy(origin.port(), Map.of());
    try (var socket = new Socket(LOOPBACK, proxy.port())) {
      socket.setSoTimeout((int) BOUND.toMillis());
      socket.getOutputStream().write(get("/download").getBytes(StandardCharsets.ISO_8859_1));
      byte[] some = socket.getInputStream().readNBytes(4096);
      assertThat(new String(some, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    }
    await().atMost(BOUND).untilTrue(appSawClose);
    assertThat(chunksWritten.get()).as("the app stopped well before its whole body").isLessThan(2000);
  }

  @Test
  void abortsTheAppsRequestWhenTheClientGoesAwayMidUpload() throws IOException {
    // A plain Vert.x app rather than RecordingOrigin: the test must watch the request from its head on.
    var appArrived = new AtomicBoolean();
    var appFailure = new AtomicReference<String>();
    var appGotWholeBody = new AtomicBoolean();
    var vertx = Vertx.vertx();
    own(() -> Futures.await(vertx.close()));
    HttpServer app = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> {
          appArrived.set(true);
          request.connection().closeHandler(v -> appFailure.compareAndSet(null, "connection closed"));
          request.exceptionHandler(cause -> appFailure.compareAndSet(null, "exception: " + cause));
          request.body().onSuccess(body -> appGotWholeBody.set(true));
        });
    Futures.await(app.listen());
    var proxy = proxy(app.actualPort(), Map.of());
    int length = 1024 * 1024;
    try (var socket = new Socket(LOOPBACK, proxy.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /upload HTTP/1.1" + CRLF + "Host: app.test" + CRLF + "Content-Length: " + length + CRLF + CRLF)
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[length / 2]);
      out.flush();
      // Leave only once the upload is under way at the app, so there is something there to abort.
      await().atMost(BOUND).untilTrue(appArrived);
    }
    await().atMost(BOUND).untilAsserted(() -> assertThat(appFailure.get()).isNotNull());
    assertThat(appGotWholeBody).as("the app must never get half an upload as a whole body").isFalse();
  }

  /**
   * A raw-socket app on 127.0.0.1 port 0 for replies no real server would send: for each connection from this
   * test (up to a bound) it reads one request head and writes the reply for that connection's index, then closes it
   * or holds it open until {@link #close()}. One background thread; every blocking call has a timeout.
   */
  private static final class RawOrigin implements AutoCloseable {
    private static final int MAX_CONNECTIONS = 8;
    private static final int MAX_ACCEPTS = 64;
    private final ServerSocket server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    RawOrigin(IntFunction<String> replies) throws IOException {
      this(replies, true);
    }

    RawOrigin(IntFunction<String> replies, boolean closeAfterReply) throws IOException {
      server = new ServerSocket(0, 8, LOOPBACK);
      server.setSoTimeout((int) BOUND.toMillis() * 3);
      thread.submit(() -> serve(replies, closeAfterReply));
    }

    int port() {
      return server.getLocalPort();
    }

    private Void serve(IntFunction<String> replies, boolean closeAfterReply) throws IOException {
      int served = 0;
      for (int accepted = 0; accepted < MAX_ACCEPTS && served < MAX_CONNECTIONS && !server.isClosed(); accepted++) {
        Socket socket = server.accept();
        held.add(socket);
        socket.setSoTimeout((int) BOUND.toMillis());
        if (!readHead(socket.getInputStream()).contains("abc-123")) {
          // Not batcycle forwarding this test's request: another process on a shared machine, aimed at a port
          // that was its own a moment ago. It must not take the scripted reply.
          socket.close();
          continue;
        }
        socket.getOutputStream().write(replies.apply(served++).getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        if (closeAfterReply) {
          socket.close();
        }
      }
      return null;
    }

    private static String readHead(InputStream in) throws IOException {
      var head = new ByteArrayOutputStream();
      int lastFour = 0;
      for (int b = in.read(); b != -1 && head.size() < 64 * 1024; b = in.read()) {
        head.write(b);
        lastFour = lastFour << 8 | b;
        if (lastFour == 0x0D0A0D0A) {
          break;
        }
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : held) {
        socket.close();
      }
      thread.shutdownNow();
      try {
        if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
          throw new IllegalStateException("raw origin thread did not stop");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
