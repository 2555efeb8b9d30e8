package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request framing and syntax attacks over raw sockets: every malformed request is answered (or the connection is
 * cut) by batcycle itself and never reaches the app, and nothing the client sends can make the app see a request
 * the client did not get a response for (request smuggling, RFC 9112 §6.3 and §11.2).
 *
 * <p>Each case gets a fresh proxy and origin, so a late or smuggled request can only be charged to its own case.
 */
class MalformedRequestIT {
  private static final String CRLF = "\r\n";
  /** A request any origin would accept, which a smuggling payload tries to slip past batcycle. */
  private static final String SMUGGLED = "GET /smuggled HTTP/1.1" + CRLF + "Host: h" + CRLF + CRLF;

  private final RecordingOrigin origin =
      RecordingOrigin.start((request, body) -> request.response().end("ok " + request.uri()));
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.forUpstream(origin::port).thenClose(origin).build();

  /**
   * One row of a table. The client must see exactly {@code statuses} (in order) and then, if {@code closes}, the
   * connection closed; the app must have received exactly {@code originUris}. {@code headMayArrive}: the request
   * head was valid, so its head may reach the app before the body turns out malformed (batcycle streams), but the
   * app must never get it whole.
   */
  record Case(String name, String raw, List<Integer> statuses, boolean closes, List<String> originUris,
              boolean headMayArrive) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case rejected(String name, int status, String raw) {
    return new Case(name, raw, List.of(status), true, List.of(), false);
  }

  /** The head was fine; the body framing is not: no answer can be trusted, so the connection is cut. */
  static Case cutOff(String name, String raw) {
    return new Case(name, raw, List.of(), true, List.of(), true);
  }

  static String head(String requestLine, String... fields) {
    var text = new StringBuilder(requestLine).append(CRLF);
    for (String field : fields) {
      text.append(field).append(CRLF);
    }
    return text.append(CRLF).toString();
  }

  static Stream<Case> ambiguousFraming() {
    String post = "POST /a HTTP/1.1";
    String chunkedSmuggle = "0" + CRLF + CRLF + SMUGGLED;
    return Stream.of(
        rejected("Content-Length then Transfer-Encoding chunked (CL.TE)", 400,
            head(post, "Host: h", "Content-Length: " + chunkedSmuggle.length(), "Transfer-Encoding: chunked")
                + chunkedSmuggle),
        rejected("Transfer-Encoding chunked then Content-Length (TE.CL)", 400,
            head(post, "Host: h", "Transfer-Encoding: chunked", "Content-Length: 4")
                + Integer.toHexString(SMUGGLED.length()) + CRLF + SMUGGLED + CRLF + "0" + CRLF + CRLF),
        rejected("Transfer-Encoding 'chunked, identity': chunked not final", 400,
            head(post, "Host: h", "Transfer-Encoding: chunked, identity") + chunkedSmuggle),
        rejected("Transfer-Encoding 'identity' alone", 400,
            head(post, "Host: h", "Transfer-Encoding: identity") + chunkedSmuggle),
        rejected("Transfer-Encoding 'xchunked'", 400,
            head(post, "Host: h", "Transfer-Encoding: xchunked") + chunkedSmuggle),
        rejected("Transfer-Encoding chunked repeated on two lines", 400,
            head(post, "Host: h", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked") + chunkedSmuggle),
        rejected("Transfer-Encoding chunked plus an unknown coding on a second line (TE.TE)", 400,
            head(post, "Host: h", "Transfer-Encoding: chunked", "Transfer-Encoding: cow") + chunkedSmuggle),
        rejected("Transfer-Encoding with a space before the colon", 400,
            head(post, "Host: h", "Transfer-Encoding : chunked") + chunkedSmuggle),
        rejected("Transfer-Encoding with leading space next to Content-Length", 400,
            head(post, "Host: h", "Content-Length: " + chunkedSmuggle.length(), "Transfer-Encoding:  chunked")
                + chunkedSmuggle),
        rejected("Transfer-Encoding with leading tab next to Content-Length", 400,
            head(post, "Host: h", "Content-Length: " + chunkedSmuggle.length(), "Transfer-Encoding:\tchunked")
                + chunkedSmuggle),
        rejected("Transfer-Encoding on an HTTP/1.0 request", 400,
            head("POST /a HTTP/1.0", "Host: h", "Transfer-Encoding: chunked") + "5" + CRLF + "hello" + CRLF
                + chunkedSmuggle),
        rejected("Transfer-Encoding plus Content-Length on an HTTP/1.0 request", 400,
            head("POST /a HTTP/1.0", "Host: h", "Content-Length: 5", "Transfer-Encoding: chunked") + chunkedSmuggle),
        rejected("two different Content-Length lines", 400,
            head(post, "Host: h", "Content-Length: 5", "Content-Length: 6") + "hello!"),
        rejected("Content-Length list '5, 6'", 400, head(post, "Host: h", "Content-Length: 5, 6") + "hello!"),
        rejected("Content-Length -1", 400, head(post, "Host: h", "Content-Length: -1") + SMUGGLED),
        rejected("Content-Length +5", 400, head(post, "Host: h", "Content-Length: +5") + "hello"),
        rejected("Content-Length 1e3", 400, head(post, "Host: h", "Content-Length: 1e3") + "hello"),
        rejected("Content-Length 0x5", 400, head(post, "Host: h", "Content-Length: 0x5") + "hello"),
        rejected("Content-Length beyond 64 bits", 400,
            head(post, "Host: h", "Content-Length: 99999999999999999999") + "hello"),
        rejected("empty Content-Length", 400, head(post, "Host: h", "Content-Length: ") + SMUGGLED));
  }

  static Stream<Case> malformedChunkedBodies() {
    String chunked = head("POST /a HTTP/1.1", "Host: h", "Transfer-Encoding: chunked");
    String tail = "0" + CRLF + CRLF + SMUGGLED;
    return Stream.of(
        cutOff("non-hex chunk size", chunked + "zz" + CRLF + "hello" + CRLF + tail),
        cutOff("chunk size overflowing 64 bits", chunked + "fffffffffffffffff1" + CRLF + "hello" + CRLF + tail),
        cutOff("chunk size overflowing to a small value", chunked + "10000000000000005" + CRLF + "hello" + CRLF + tail),
        cutOff("negative chunk size", chunked + "-5" + CRLF + "hello" + CRLF + tail),
        cutOff("chunk size with a 0x prefix", chunked + "0x5" + CRLF + "hello" + CRLF + tail),
        cutOff("chunk extension holding a bare LF", chunked + "5;ext=\"a\nb\"" + CRLF + "hello" + CRLF + tail),
        cutOff("chunk extension ended by a bare LF", chunked + "5;ext\nhello" + CRLF + tail),
        cutOff("chunk extension longer than a request line", chunked + "5;" + "x".repeat(16 * 1024) + CRLF
            + "hello" + CRLF + tail),
        cutOff("chunk data not followed by CRLF", chunked + "5" + CRLF + "helloXX" + CRLF + tail),
        cutOff("chunk data longer than its size, hiding a request", chunked + "2" + CRLF + "hello" + CRLF + tail),
        cutOff("chunked framing with bare LF line endings", chunked + "5\nhello\n0\n\n" + SMUGGLED),
        cutOff("chunk size line ended by a bare CR", chunked + "5\rhello" + CRLF + tail),
        cutOff("last chunk without the final CRLF, then a request", chunked + "5" + CRLF + "hello" + CRLF
            + "0" + CRLF + SMUGGLED));
  }

  static Stream<Case> malformedHeaderSyntax() {
    String get = "GET /a HTTP/1.1";
    return Stream.of(
        rejected("whitespace-preceded line before the first header", 400, head(get, " X-A: one", "Host: h")),
        rejected("obs-fold continuing the Host header", 400, head(get, "Host: h", " evil")),
        rejected("NUL inside a header value", 400, head(get, "Host: h", "X-A: a\0b")),
        rejected("bare CR inside a header value", 400, head(get, "Host: h", "X-A: a\rb")),
        rejected("LF inside a header value (its rest is a line without colon)", 400,
            head(get, "Host: h", "X-A: a\nb c")),
        rejected("LF inside a header value that looks like a header", 400,
            head(get, "Host: h", "X-A: a\n:b")),
        rejected("DEL inside a header value", 400, head(get, "Host: h", "X-A: a\u007fb")),
        rejected("space inside a header name", 400, head(get, "Host: h", "Fo o: x")),
        rejected("'@' inside a header name", 400, head(get, "Host: h", "Foo@: x")),
        rejected("empty header name", 400, head(get, "Host: h", ":x")),
        rejected("non-ASCII byte inside a header name", 400, head(get, "Host: h", "F\u00e9e: x")),
        rejected("NUL inside a header name", 400, head(get, "Host: h", "Fo\0o: x")),
        rejected("header line without a colon", 400, head(get, "Host: h", "Foo")),
        rejected("space between header name and colon", 400, head(get, "Host: h", "Foo : x")),
        rejected("tab between header name and colon", 400, head(get, "Host: h", "Foo\t: x")),
        rejected("space between Host and colon", 400, head(get, "Host : h")),
        rejected("bare CR as a line ending", 400, get + "\rHost: h\r\r\n"),
        // RFC 9112 §2.2 lets a recipient accept a bare LF as a head line ending; Netty 4.2.18 parses strictly and
        // rejects it, which is the safe choice for a proxy (no two parsers to disagree on where a line ends).
        rejected("bare LF line endings in the head", 400, "GET /lf HTTP/1.1\nHost: h\nX-A: b\n\n"),
        rejected("bare LF line endings in two pipelined heads", 400,
            "GET /lf1 HTTP/1.1\nHost: h\n\nGET /lf2 HTTP/1.1\nHost: h\n\n"),
        rejected("bare LF head with a Content-Length body hiding a request", 400,
            "POST /lf HTTP/1.1\nHost: h\nContent-Length: " + SMUGGLED.length() + "\n\n" + SMUGGLED),
        rejected("one bare LF among CRLF line endings", 400, "GET /mixed HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n"),
        rejected("unknown HTTP version", 400, head("GET /a HTTP/1.2x", "Host: h")));
  }

  static Stream<Case> invalidHostOrTarget() {
    return Stream.of(
        rejected("HTTP/1.1 request without Host", 400, head("GET /a HTTP/1.1", "X-A: b")),
        rejected("two Host headers", 400, head("GET /a HTTP/1.1", "Host: h", "Host: h")),
        rejected("two different Host headers", 400, head("GET /a HTTP/1.1", "Host: good", "Host: evil")),
        rejected("Host 'a b'", 400, head("GET /a HTTP/1.1", "Host: a b")),
        rejected("Host 'x@y' with userinfo", 400, head("GET /a HTTP/1.1", "Host: x@y")),
        rejected("Host 'host:99999' with a port out of range", 400, head("GET /a HTTP/1.1", "Host: host:99999")),
        rejected("Host 'host:' with an empty port", 400, head("GET /a HTTP/1.1", "Host: host:")),
        rejected("Host with a path", 400, head("GET /a HTTP/1.1", "Host: h/evil")),
        rejected("Host list 'a, b'", 400, head("GET /a HTTP/1.1", "Host: a, b")),
        rejected("relative target 'foo'", 400, head("GET foo HTTP/1.1", "Host: h")),
        rejected("asterisk target with GET", 400, head("GET * HTTP/1.1", "Host: h")),
        rejected("absolute-form target with a non-http scheme", 400, head("GET ftp://h/a HTTP/1.1", "Host: h")),
        rejected("absolute-form target with userinfo", 400, head("GET http://u@h/a HTTP/1.1", "Host: h")),
        rejected("CONNECT", 501, head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443")));
  }

  static Stream<Case> oversizedHeads() {
    String bigHeader = "X-Big: " + "v".repeat(70 * 1024);
    String[] manyHeaders = new String[3000];
    manyHeaders[0] = "Host: h";
    for (int i = 1; i < manyHeaders.length; i++) {
      manyHeaders[i] = String.format("X-H-%04d: vvvvvvvvvvvvvvvv", i);
    }
    String[] overCount = java.util.Arrays.copyOf(manyHeaders, 101); // 2 KiB in all: only the count is too much
    return Stream.of(
        rejected("101 header fields, over limits.maxHeaderCount (100)", 431, head("GET /a HTTP/1.1", overCount)),
        rejected("request line over limits.maxRequestLine (8 KiB)", 414,
            head("GET /" + "a".repeat(9 * 1024) + " HTTP/1.1", "Host: h")),
        rejected("one header over limits.maxHeaderSize (64 KiB)", 431, head("GET /a HTTP/1.1", "Host: h", bigHeader)),
        rejected("3000 small headers adding up to over 64 KiB", 431, head("GET /a HTTP/1.1", manyHeaders)));
  }

  static Stream<Case> smugglingAttempts() {
    String first = head("GET /first HTTP/1.1", "Host: h");
    String hidden = SMUGGLED;
    return Stream.of(
        new Case("valid request then a malformed one in the same write", first
            + head("GET /second HTTP/1.1", "Host: h", "Fo o: x"), List.of(200, 400), true, List.of("/first"), false),
        new Case("valid request then a CL.TE smuggle in the same write", first
            + head("POST /second HTTP/1.1", "Host: h", "Content-Length: 40", "Transfer-Encoding: chunked")
            + "0" + CRLF + CRLF + hidden, List.of(200, 400), true, List.of("/first"), false),
        new Case("valid request then one without Host", first + head("GET /second HTTP/1.1"),
            List.of(200, 400), true, List.of("/first"), false),
        new Case("valid request then a chunked body with an overflowing size", first
            + head("POST /second HTTP/1.1", "Host: h", "Transfer-Encoding: chunked")
            + "fffffffffffffffff1" + CRLF + "x" + CRLF + "0" + CRLF + CRLF + hidden,
            List.of(200), true, List.of("/first"), true),
        // Not smuggling: with Content-Length 0 the next bytes are a request batcycle sees and answers too.
        new Case("Content-Length 0 followed by a full request: two requests, both answered", head("GET /a HTTP/1.1",
            "Host: h", "Content-Length: 0") + head("GET /b HTTP/1.1", "Host: h"), List.of(200, 200), false,
            List.of("/a", "/b"), false),
        new Case("a body that is a whole request stays a body", head("POST /a HTTP/1.1", "Host: h",
            "Content-Length: " + hidden.length()) + hidden, List.of(200), false, List.of("/a"), false),
        new Case("a GET whose Content-Length body is a whole request", head("GET /a HTTP/1.1", "Host: h",
            "Content-Length: " + hidden.length()) + hidden, List.of(200), false, List.of("/a"), false),
        new Case("a chunked body that is a whole request stays a body", head("POST /a HTTP/1.1", "Host: h",
            "Transfer-Encoding: chunked") + Integer.toHexString(hidden.length()) + CRLF + hidden + CRLF
            + "0" + CRLF + CRLF, List.of(200), false, List.of("/a"), false),
        new Case("valid request then a head with bare LF line endings", head("POST /a HTTP/1.1", "Host: h",
            "Content-Length: 0") + "GET /lf HTTP/1.1\nHost: h\n\n", List.of(200, 400), true, List.of("/a"), false));
  }

  /** A request RFC 9112 lets a recipient normalise: the app must get the normalised form, never the raw one. */
  record Tolerated(String name, String raw, String uri, String header, String value) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Tolerated> toleratedOddities() {
    return Stream.of(
        // RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or replace it with SP before interpreting
        // or forwarding the field. Netty 4.2.18 replaces it; batcycle re-serialises the head, so the app sees one
        // unfolded line and cannot split the field differently from batcycle.
        new Tolerated("obs-fold continuation line starting with a space", head("GET /fold HTTP/1.1", "Host: h",
            "X-A: one", " two"), "/fold", "x-a", "one two"),
        new Tolerated("obs-fold continuation line starting with a tab", head("GET /fold HTTP/1.1", "Host: h",
            "X-A: one", "\t two"), "/fold", "x-a", "one two"),
        // RFC 9112 §3: recipients MAY split the request line on whitespace runs; the app gets one clean line.
        new Tolerated("two spaces before the request line's version", head("GET /a  HTTP/1.1", "Host: h", "X-A: b"),
            "/a", "x-a", "b"),
        new Tolerated("leading empty line before the request line", CRLF + head("GET /a HTTP/1.1", "Host: h",
            "X-A: b"), "/a", "x-a", "b"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("toleratedOddities")
  void forwardsWhatRfc9112LetsARecipientNormaliseOnlyInNormalisedForm(Tolerated c) throws IOException {
    try (var http = RawHttp.connect(proxy.port())) {
      assertThat(http.send(c.raw()).readResponse().status()).isEqualTo(200);
    }
    assertThat(received()).hasSize(1);
    assertThat(last().uri()).isEqualTo(c.uri());
    assertThat(last().headers().getAll(c.header())).containsExactly(c.value());
    assertThat(last().headers().names()).allMatch(name -> name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ambiguousFraming")
  void answersAmbiguousBodyFramingWith400AndForwardsNothing(Case c) throws IOException {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedChunkedBodies")
  void cutsTheConnectionOnMalformedChunkedFramingAndTheAppNeverGetsAWholeRequest(Case c) throws IOException {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedHeaderSyntax")
  void answersInvalidHeaderSyntaxWith400AndForwardsNothing(Case c) throws IOException {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidHostOrTarget")
  void answersAnInvalidHostOrTargetItselfAndForwardsNothing(Case c) throws IOException {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oversizedHeads")
  void answersOversizedHeadsWith414Or431AndForwardsNothing(Case c) throws IOException {
    check(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smugglingAttempts")
  void theAppSeesExactlyTheRequestsTheClientGotAnswersFor(Case c) throws IOException {
    check(c);
    assertThat(received()).noneMatch(r -> r.uri().contains("smuggled"));
  }

  @Test
  void forwardsAnAbsoluteFormTargetInOriginFormWithItsAuthorityAsHost() throws IOException {
    try (var http = RawHttp.connect(proxy.port())) {
      RawResponse response = http.send(head("GET http://example.com/p?q HTTP/1.1", "Host: other.test"))
          .readResponse();
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(received()).hasSize(1);
    assertThat(last().uri()).isEqualTo("/p?q");
    assertThat(last().header("host")).isEqualTo("example.com");
    assertThat(last().header("x-forwarded-host")).isEqualTo("example.com");
  }

  static Stream<String> bodiesHidingARequest() {
    return Stream.of(
        head("POST /a HTTP/1.1", "Host: h", "Content-Length: " + SMUGGLED.length()) + SMUGGLED,
        head("POST /a HTTP/1.1", "Host: h", "Transfer-Encoding: chunked") + Integer.toHexString(SMUGGLED.length())
            + CRLF + SMUGGLED + CRLF + "0" + CRLF + CRLF);
  }

  @ParameterizedTest
  @MethodSource("bodiesHidingARequest")
  void deliversABodyThatLooksLikeARequestAsTheBody(String raw) throws IOException {
    try (var http = RawHttp.connect(proxy.port())) {
      assertThat(http.send(raw).readResponse().bodyText()).isEqualTo("ok /a");
    }
    assertThat(received()).hasSize(1);
    assertThat(last().body().toString()).isEqualTo(SMUGGLED);
  }

  @Test
  void forwardsLeadingWhitespaceBeforeChunkedAsPlainChunked() throws IOException {
    // OWS before a field value is legal (RFC 9110 §5.5): this is chunked, and the app gets the decoded body.
    try (var http = RawHttp.connect(proxy.port())) {
      RawResponse response = http.send(head("POST /ows HTTP/1.1", "Host: h", "Transfer-Encoding: \t chunked")
          + "5" + CRLF + "hello" + CRLF + "0" + CRLF + CRLF).readResponse();
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(received()).hasSize(1);
    assertThat(last().body().toString()).isEqualTo("hello");
  }

  @Test
  void honoursLoweredHeaderAndRequestLineLimits() throws IOException {
    proxy.restart(ProxyHarness.forUpstream(origin::port).with(Key.LIMITS_MAX_HEADER_SIZE, "4KiB")
        .with(Key.LIMITS_MAX_REQUEST_LINE, "1KiB"));
    check(rejected("header section over a 4 KiB limit", 431,
        head("GET /a HTTP/1.1", "Host: h", "X-Big: " + "v".repeat(5 * 1024))));
    check(rejected("request line over a 1 KiB limit", 414,
        head("GET /" + "a".repeat(2 * 1024) + " HTTP/1.1", "Host: h")));
    try (var http = RawHttp.connect(proxy.port())) {
      RawResponse response = http.send(head("GET /under HTTP/1.1", "Host: h", "X-Big: " + "v".repeat(3 * 1024)))
          .readResponse();
      assertThat(response.status()).as("a head under the limit still passes").isEqualTo(200);
    }
    assertThat(received()).extracting(RecordingOrigin.Received::uri).containsExactly("/under");
  }

  private void check(Case c) throws IOException {
    List<RawResponse> responses = new ArrayList<>();
    try (var http = RawHttp.connect(proxy.port())) {
      http.send(c.raw());
      for (int i = 0; i < c.statuses().size(); i++) {
        RawResponse response = readOrNull(http);
        if (response == null) {
          break;
        }
        responses.add(response);
      }
      assertThat(responses).extracting(RawResponse::status).as("statuses the client saw").isEqualTo(c.statuses());
      if (c.closes()) {
        assertThat(http.isClosedByPeer()).as("connection closed after the malformed request").isTrue();
      }
    }
    for (RawResponse response : responses) {
      if (response.status() >= 400) {
        String expectedCode = switch (response.status()) {
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          case 501 -> "not_implemented";
          default -> "bad_request";
        };
        assertThat(response.header("x-batcycle-error")).isEqualTo(expectedCode);
        assertThat(response.bodyText()).contains("request id ");
      }
    }
    assertThat(received()).extracting(RecordingOrigin.Received::uri).as("requests the app received whole")
        .isEqualTo(c.originUris());
    if (!c.headMayArrive()) {
      assertThat(origin.arrivals() - strays()).as("request heads that reached the app")
          .isEqualTo(c.originUris().size());
    }
  }

  /**
   * What the app received from this test. On a shared machine another process (a load generator still aimed at a
   * port that was its own a moment ago) can reach a port-0 listener; its requests carry a numeric loopback Host,
   * which no request of this test does, even a forwarded one.
   */
  private List<RecordingOrigin.Received> received() {
    return origin.received().stream().filter(r -> !isStray(r)).toList();
  }

  private RecordingOrigin.Received last() {
    List<RecordingOrigin.Received> ours = received();
    assertThat(ours).as("requests the app received").isNotEmpty();
    return ours.get(ours.size() - 1);
  }

  private long strays() {
    return origin.received().stream().filter(MalformedRequestIT::isStray).count();
  }

  static boolean isStray(RecordingOrigin.Received request) {
    String host = request.header("host");
    return host != null && (host.startsWith("127.") || host.startsWith("localhost"));
  }

  /** The next response, or null if the connection ended (closed or reset) before one arrived. */
  private static RawResponse readOrNull(RawHttp http) throws IOException {
    try {
      return http.readResponse();
    } catch (EOFException | SocketException e) {
      return null;
    }
  }
}
