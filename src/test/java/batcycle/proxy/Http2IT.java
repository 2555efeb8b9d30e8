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
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 on either side of batcycle: h2c clients in front of an HTTP/1.1 app, the h2c upgrade, and h2c to the app. */
class Http2IT {
  /** An HTTP2-Settings value as curl sends it: SETTINGS_MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=1 GiB-1. */
  private static final String HTTP2_SETTINGS = "AAMAAABkAAQAAP__";
  /** RFC 9113 §3.4 client connection preface followed by an empty SETTINGS frame. */
  private static final byte[] CLIENT_PREFACE = concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});

  private Vertx vertx;
  private HttpClient h2;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startClient() {
    vertx = Vertx.vertx();
    h2 = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    Futures.await(vertx.close());
  }

  @Test
  void http2GetReachesHttp11OriginWithAuthorityAsHostAndNoBodyFraming() {
    var origin = origin(RecordingOrigin.start((request, body) -> request.response().end("hello")));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());

    Reply reply = exchange(proxy, HttpMethod.GET, "/things?q=1", "example.test:8443", null, false);

    assertThat(reply.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    assertThat(reply.body().toString()).isEqualTo("hello");
    var seen = origin.last();
    assertThat(seen.version()).isEqualTo("http/1.1");
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.uri()).isEqualTo("/things?q=1");
    assertThat(seen.header("host")).isEqualTo("example.test:8443");
    assertThat(seen.headers().contains("transfer-encoding")).isFalse();
    assertThat(seen.header("content-length")).isIn(null, "0");
    assertThat(seen.body().length()).isZero();
  }

  @Test
  void http2PostWithContentLengthIsEchoedWholeAndReachesOriginWithThatLength() {
    var origin = origin(echoOrigin());
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());
    Buffer body = randomBody(200_000, 1);

    Reply reply = exchange(proxy, HttpMethod.POST, "/upload", "app.test", body, true);

    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    assertSameBytes(reply.body(), body);
    var seen = origin.last();
    assertThat(seen.version()).isEqualTo("http/1.1");
    assertThat(seen.header("content-length")).isEqualTo(Integer.toString(body.length()));
    assertThat(seen.headers().contains("transfer-encoding")).isFalse();
    assertSameBytes(seen.body(), body);
  }

  @Test
  void http2PostWithoutContentLengthIsEchoedWholeAndReachesOriginChunked() {
    var origin = origin(echoOrigin());
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());
    Buffer body = randomBody(200_000, 2);

    Reply reply = exchange(proxy, HttpMethod.POST, "/upload", "app.test", body, false);

    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    assertSameBytes(reply.body(), body);
    var seen = origin.last();
    assertThat(seen.version()).isEqualTo("http/1.1");
    assertThat(seen.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
    assertThat(seen.headers().contains("content-length")).isFalse();
    assertSameBytes(seen.body(), body);
  }

  @Test
  void connectionSpecificResponseHeadersOfAnHttp11OriginNeverReachAnHttp2Client() {
    var origin = origin(RecordingOrigin.start((request, body) -> request.response()
        .putHeader("Connection", "keep-alive, X-Hop")
        .putHeader("X-Hop", "secret")
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("Upgrade", "h2c")
        .putHeader("X-End-To-End", "kept")
        .setChunked(true)
        .end("answer")));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());

    Reply reply = exchange(proxy, HttpMethod.GET, "/", "app.test", null, false);

    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    assertThat(reply.body().toString()).isEqualTo("answer");
    assertThat(reply.headers().get("x-end-to-end")).isEqualTo("kept");
    for (String hopByHop : List.of("connection", "x-hop", "keep-alive", "upgrade", "transfer-encoding")) {
      assertThat(reply.headers().contains(hopByHop)).as(hopByHop).isFalse();
    }
  }

  @Test
  void concurrentStreamsOnOneHttp2ConnectionAreAllInFlightAtOnceAndEachGetsItsOwnAnswer() {
    int streams = 8;
    List<HttpServerRequest> held = new ArrayList<>();
    // The origin answers nobody until every stream has arrived: only truly concurrent streams can all finish.
    var origin = origin(RecordingOrigin.start((request, body) -> {
      List<HttpServerRequest> release = List.of();
      synchronized (held) {
        held.add(request);
        if (held.size() == streams) {
          release = List.copyOf(held);
        }
      }
      release.forEach(r -> r.response().end("answer to " + r.getHeader("x-stream")));
    }));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());

    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-stream", Integer.toString(i));
      replies.add(send(proxy, HttpMethod.GET, "/s/" + i, "app.test", headers, null, false));
    }

    Set<HttpConnection> connections = new HashSet<>();
    for (int i = 0; i < streams; i++) {
      Reply reply = Futures.await(replies.get(i));
      assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
      assertThat(reply.body().toString()).isEqualTo("answer to " + i);
      connections.add(reply.connection());
    }
    assertThat(connections).hasSize(1);
    assertThat(origin.received()).hasSize(streams);
  }

  @Test
  void h2cUpgradeHeadersOnAGetNeverReachTheOrigin() throws Exception {
    var origin = origin(RecordingOrigin.start((request, body) -> request.response().end("plain")));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());

    try (var http = RawHttp.connect(proxy.port())) {
      http.send("GET /upgrade-me HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: " + HTTP2_SETTINGS + "\r\n\r\n");
      finishUpgradeOrRead(http, "plain");

      await().atMost(Duration.ofSeconds(10)).until(() -> origin.received().size() == 1);
    }
    var seen = origin.last();
    assertThat(seen.uri()).isEqualTo("/upgrade-me");
    assertThat(seen.headers().contains("upgrade")).isFalse();
    assertThat(seen.headers().contains("http2-settings")).isFalse();
    assertThat(seen.header("connection")).isIn(null, "keep-alive");
  }

  @Test
  void h2cUpgradeHeadersOnAPostWithABodyNeverReachTheOrigin() throws Exception {
    var origin = origin(echoOrigin());
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).start());

    try (var http = RawHttp.connect(proxy.port())) {
      http.send("POST /upgrade-me HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: " + HTTP2_SETTINGS + "\r\nContent-Length: 11\r\n\r\nhello world");
      finishUpgradeOrRead(http, "hello world");

      await().atMost(Duration.ofSeconds(10)).until(() -> origin.received().size() == 1);
    }
    var seen = origin.last();
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.body().toString()).isEqualTo("hello world");
    assertThat(seen.headers().contains("upgrade")).isFalse();
    assertThat(seen.headers().contains("http2-settings")).isFalse();
  }

  @Test
  void http2EndToEndReachesAnH2cOriginAndRelaysItsTrailers() {
    var origin = origin(RecordingOrigin.start(new HttpServerOptions().setHttp2ClearTextEnabled(true),
        (request, body) -> {
          request.response().trailers().add("x-checksum", "abc123").add("x-items", "3");
          request.response().end(body.length() == 0 ? Buffer.buffer("no body") : body);
        }));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).with(Key.UPSTREAM_PROTOCOL, "h2c").start());
    Buffer body = randomBody(100_000, 3);

    Reply get = exchange(proxy, HttpMethod.GET, "/trailers", "app.test", null, false);
    Reply post = exchange(proxy, HttpMethod.POST, "/trailers", "app.test", body, false);

    assertThat(get.status()).as("%s", get.body()).isEqualTo(200);
    assertThat(get.body().toString()).isEqualTo("no body");
    assertThat(get.trailers().get("x-checksum")).isEqualTo("abc123");
    assertThat(get.trailers().get("x-items")).isEqualTo("3");
    assertSameBytes(post.body(), body);
    assertThat(post.trailers().get("x-checksum")).isEqualTo("abc123");
    var received = origin.received();
    assertThat(received).hasSize(2);
    assertThat(received).allSatisfy(r -> assertThat(r.version()).isEqualTo("h2"));
    assertSameBytes(received.get(1).body(), body);
  }

  @Test
  void hopByHopHeadersOfAnHttp11ClientNeverReachAnH2cOriginButTeTrailersDoes() throws Exception {
    var origin = origin(RecordingOrigin.start(new HttpServerOptions().setHttp2ClearTextEnabled(true),
        (request, body) -> request.response().end("ok")));
    var proxy = proxy(ProxyHarness.forUpstream(origin.port()).with(Key.UPSTREAM_PROTOCOL, "h2c").start());

    try (var http = RawHttp.connect(proxy.port())) {
      RawResponse first = http.send("GET /hop HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive, X-Foo\r\n"
          + "X-Foo: secret\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\n"
          + "X-End-To-End: kept\r\n\r\n").readResponse();
      RawResponse second = http.send("POST /hop HTTP/1.1\r\nHost: app.test\r\nTE: trailers, gzip\r\n"
          + "Connection: TE\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").readResponse();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.bodyText()).isEqualTo("ok");
      assertThat(second.status()).isEqualTo(200);
    }

    var received = origin.received();
    assertThat(received).hasSize(2);
    var plain = received.get(0);
    assertThat(plain.version()).isEqualTo("h2");
    assertThat(plain.header("x-end-to-end")).isEqualTo("kept");
    for (String hopByHop : List.of("connection", "x-foo", "keep-alive", "proxy-connection", "te",
        "transfer-encoding", "upgrade")) {
      assertThat(plain.headers().contains(hopByHop)).as(hopByHop).isFalse();
    }
    var grpcLike = received.get(1);
    assertThat(grpcLike.version()).isEqualTo("h2");
    assertThat(grpcLike.headers().getAll("te")).containsExactly("trailers");
    assertThat(grpcLike.headers().contains("connection")).isFalse();
    assertThat(grpcLike.headers().contains("transfer-encoding")).isFalse();
    assertThat(grpcLike.body().toString()).isEqualTo("hello");
  }

  @Test
  void http2RequestWhoseBodyHasNotStartedYetReachesAnH2cOriginAtOnce() {
    // Like a gRPC stream where the server speaks first: the client sends its head and waits for the answer.
    Vertx originVertx = Vertx.vertx();
    closing.add(() -> Futures.await(originVertx.close()));
    var originServer = originVertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(request -> {
          var response = request.response().setChunked(true);
          response.write("hello first;");
          request.handler(response::write);
          request.endHandler(v -> response.end(";bye"));
        });
    int originPort = Futures.await(originServer.listen(0, "127.0.0.1")).actualPort();
    var proxy = proxy(ProxyHarness.forUpstream(originPort).with(Key.UPSTREAM_PROTOCOL, "h2c").start());

    Future<Buffer> whole = h2.request(new RequestOptions().setServer(
            SocketAddress.inetSocketAddress(proxy.port(), "127.0.0.1"))
            .setHost("app.test").setPort(80).setMethod(HttpMethod.POST).setURI("/stream"))
        .compose(request -> {
          request.setChunked(true);
          request.sendHead();
          return request.response().compose(response -> {
            Promise<Buffer> body = Promise.promise();
            Buffer received = Buffer.buffer();
            response.handler(chunk -> {
              boolean first = received.length() == 0;
              received.appendBuffer(chunk);
              if (first) {
                // Only now, with the server's first words received, does the client send its body.
                request.end("from client");
              }
            });
            response.endHandler(v -> body.tryComplete(received));
            response.exceptionHandler(body::tryFail);
            return body.future();
          });
        });

    assertThat(Futures.await(whole, 10).toString()).isEqualTo("hello first;from client;bye");
  }

  // ---- helpers

  /** What the HTTP/2 client got back. */
  private record Reply(int status, HttpVersion version, MultiMap headers, Buffer body, MultiMap trailers,
                       HttpConnection connection) {}

  private Reply exchange(ProxyHarness proxy, HttpMethod method, String uri, String authority, Buffer body,
                         boolean withLength) {
    return Futures.await(send(proxy, method, uri, authority, MultiMap.caseInsensitiveMultiMap(), body, withLength));
  }

  private Future<Reply> send(ProxyHarness proxy, HttpMethod method, String uri, String authority, MultiMap headers,
                             Buffer body, boolean withLength) {
    int colon = authority.lastIndexOf(':');
    String host = colon < 0 ? authority : authority.substring(0, colon);
    int authorityPort = colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1));
    // Connect to batcycle, but send the authority a real client would (:authority, which becomes Host).
    RequestOptions options = new RequestOptions().setServer(SocketAddress.inetSocketAddress(
            proxy.port(), "127.0.0.1"))
        .setHost(host).setPort(authorityPort).setMethod(method).setURI(uri).setHeaders(headers);
    return h2.request(options).compose(request -> {
      if (body == null) {
        return request.send();
      }
      if (withLength) {
        request.putHeader("content-length", Integer.toString(body.length()));
        return request.send(body);
      }
      return writeInPieces(request, body);
    }).compose(response -> response.body().map(received -> reply(response, received)));
  }

  /** Several DATA frames and no content-length: the HTTP/2 way of streaming a body of unknown size. */
  private static Future<HttpClientResponse> writeInPieces(HttpClientRequest request, Buffer body) {
    request.setChunked(true);
    int piece = 16 * 1024;
    for (int at = 0; at < body.length(); at += piece) {
      request.write(body.getBuffer(at, Math.min(body.length(), at + piece)));
    }
    request.end();
    return request.response();
  }

  private static Reply reply(HttpClientResponse response, Buffer body) {
    return new Reply(response.statusCode(), response.version(), response.headers(), body, response.trailers(),
        response.request().connection());
  }

  /**
   * Reads batcycle's answer to an h2c upgrade request: either a plain HTTP/1.1 response with {@code expected} as
   * body, or 101 Switching Protocols, after which the client preface is sent so the upgraded stream completes.
   */
  private static void finishUpgradeOrRead(RawHttp http, String expected) throws Exception {
    RawResponse response = http.readResponse();
    if (response.status() == 101) {
      assertThat(response.header("upgrade")).isEqualToIgnoringCase("h2c");
      http.send(CLIENT_PREFACE);
    } else {
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo(expected);
    }
  }

  /** Compares bodies without dumping kilobytes of random bytes into the failure message. */
  static void assertSameBytes(Buffer actual, Buffer expected) {
    assertThat(actual.length()).as("body length").isEqualTo(expected.length());
    for (int i = 0; i < expected.length(); i++) {
      if (actual.getByte(i) != expected.getByte(i)) {
        throw new AssertionError("bodies differ first at byte " + i);
      }
    }
  }

  private static RecordingOrigin echoOrigin() {
    return RecordingOrigin.start((request, body) -> request.response().end(body));
  }

  private static Buffer randomBody(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Buffer.buffer(bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private RecordingOrigin origin(RecordingOrigin origin) {
    closing.add(origin);
    return origin;
  }

  private ProxyHarness proxy(ProxyHarness proxy) {
    closing.add(proxy);
    return proxy;
  }
}
