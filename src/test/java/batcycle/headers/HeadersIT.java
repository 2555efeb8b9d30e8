package batcycle.headers;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawH2;
import batcycle.testing.RawHttp;
import batcycle.testing.RawResponse;
import batcycle.testing.RecordingOrigin;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The header policy through a real proxy: hop-by-hop both ways, Host, X-Forwarded-*, Forwarded, Via, request id. */
class HeadersIT {
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private RecordingOrigin.Received roundTrip(String rawRequest, Map<Key, String> overrides) throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      assertThat(raw.send(rawRequest).readResponse().status()).isEqualTo(200);
    }
    return origin.last();
  }

  @Test
  void dropsHopByHopRequestHeadersIncludingThoseNamedInConnection() throws Exception {
    var received = roundTrip("GET / HTTP/1.1\r\nHost: app\r\nConnection: keep-alive, X-Secret-Hop\r\n"
        + "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\n"
        + "Trailer: X-Checksum\r\nUpgrade: foo/2\r\nX-End-To-End: kept\r\n\r\n", Map.of());

    for (String hop : new String[] {"connection", "x-secret-hop", "keep-alive", "proxy-connection", "te",
        "trailer", "upgrade"}) {
      assertThat(received.headers().contains(hop)).as(hop).isFalse();
    }
    assertThat(received.header("x-end-to-end")).isEqualTo("kept");
  }

  @Test
  void sendsNoTeToAnHttp11AppWhateverTheClientAccepts() throws Exception {
    // TE is hop-by-hop: "trailers, deflate" is the client's offer to batcycle, not to the app (an HTTP/2 app gets
    // batcycle's own "te: trailers", see Http2IT).
    var received = roundTrip("GET / HTTP/1.1\r\nHost: app\r\nTE: trailers, deflate\r\nConnection: TE\r\n\r\n",
        Map.of());
    assertThat(received.headers().contains("te")).isFalse();
  }

  @Test
  void passesOneHundredHeaderFieldsAndAnswers431ToMoreOverHttp1AndHttp2() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    StringBuilder fields = new StringBuilder("Host: app\r\n");
    String[] h2Fields = new String[2 * 100];
    for (int i = 1; i < 100; i++) {
      fields.append("X-F-").append(i).append(": v\r\n");
      h2Fields[2 * i] = "x-f-" + i;
      h2Fields[2 * i + 1] = "v";
    }
    h2Fields[0] = "x-f-100";
    h2Fields[1] = "v"; // with the Host the client's :authority becomes: 101 fields
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      assertThat(raw.send("GET /hundred HTTP/1.1\r\n" + fields + "\r\n").readResponse().status()).isEqualTo(200);
      RawResponse over = raw.send("GET /more HTTP/1.1\r\n" + fields + "X-F-100: v\r\n\r\n").readResponse();
      assertThat(over.status()).isEqualTo(431);
      assertThat(over.header("x-batcycle-error")).isEqualTo("headers_too_large");
    }
    try (RawH2 h2 = RawH2.connect(proxy.port()).preface()) {
      h2.request(1, "GET", "/more-h2", true, h2Fields);
      assertThat(h2.await("HEADERS", java.time.Duration.ofSeconds(10)).status()).isEqualTo(431);
    }
    assertThat(origin.received()).extracting(RecordingOrigin.Received::uri).containsExactly("/hundred");
    assertThat(origin.last().headers().size()).as("what reached the app").isGreaterThanOrEqualTo(100);
  }

  @Test
  void dropsHopByHopResponseHeaders() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> request.response()
        .putHeader("Connection", "X-Internal")
        .putHeader("X-Internal", "1")
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("Proxy-Connection", "keep-alive")
        .putHeader("Upgrade", "h2c")
        .putHeader("X-App", "visible")
        .end("ok")));
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      RawResponse response = raw.send("GET / HTTP/1.1\r\nHost: app\r\n\r\n").readResponse();
      assertThat(response.headers().contains("x-internal")).isFalse();
      assertThat(response.headers().contains("keep-alive")).isFalse();
      assertThat(response.headers().contains("proxy-connection")).isFalse();
      assertThat(response.headers().contains("upgrade")).isFalse();
      assertThat(response.headers().contains("connection")).isFalse();
      assertThat(response.header("x-app")).isEqualTo("visible");
      // Dropping the app's "Connection: X-Internal" must not close the client's keep-alive connection.
      assertThat(raw.send("GET /again HTTP/1.1\r\nHost: app\r\n\r\n").readResponse().status()).isEqualTo(200);
    }
  }

  @Test
  void preservesTheClientsHostByDefault() throws Exception {
    assertThat(roundTrip("GET / HTTP/1.1\r\nHost: shop.example:8443\r\n\r\n", Map.of()).header("host"))
        .isEqualTo("shop.example:8443");
  }

  @Test
  void sendsTheUpstreamAuthorityAsHostWhenNotPreserving() throws Exception {
    var received = roundTrip("GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n",
        Map.of(Key.HEADERS_PRESERVE_HOST, "false"));
    assertThat(received.header("host")).isEqualTo("127.0.0.1:" + origin.port());
    assertThat(received.header("x-forwarded-host")).isEqualTo("shop.example");
  }

  @Test
  void appendsTheClientToXForwardedForAndSetsProtoHostPort() throws Exception {
    var received = roundTrip("GET / HTTP/1.1\r\nHost: shop.example:8443\r\nX-Forwarded-For: 203.0.113.7\r\n"
        + "X-Forwarded-For: 10.0.0.1\r\n\r\n", Map.of());
    assertThat(received.headers().getAll("x-forwarded-for")).containsExactly("203.0.113.7, 10.0.0.1, 127.0.0.1");
    assertThat(received.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(received.header("x-forwarded-host")).isEqualTo("shop.example:8443");
    // The port of batcycle's listener the request came in on, not the one the client wrote in Host.
    assertThat(received.header("x-forwarded-port")).isEqualTo(Integer.toString(proxy.port()));
  }

  @Test
  void keepsForwardedProtoFromAProxyInFrontUnlessTold() throws Exception {
    String request = "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\n\r\n";
    var trusted = roundTrip(request, Map.of());
    assertThat(trusted.header("x-forwarded-proto")).isEqualTo("https");
    assertThat(trusted.header("x-forwarded-port")).isEqualTo("443");
    proxy.close(); // and its origin: the next round trip starts both anew
    var overwritten = roundTrip(request, Map.of(Key.HEADERS_TRUST_FORWARDED, "false"));
    assertThat(overwritten.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(overwritten.header("x-forwarded-port")).isEqualTo(Integer.toString(proxy.port()));
  }

  @Test
  void addsForwardedAndViaWhenSwitchedOn() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) ->
        request.response().putHeader("Via", "1.1 app").end("ok")));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.HEADERS_FORWARDED, "true")
        .with(Key.HEADERS_VIA, "true"));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      RawResponse response = raw.send("GET / HTTP/1.1\r\nHost: shop.example\r\nForwarded: for=192.0.2.60\r\n"
          + "Via: 1.0 edge\r\n\r\n").readResponse();
      assertThat(response.header("via")).isEqualTo("1.1 app, 1.1 batcycle");
    }
    assertThat(origin.last().header("forwarded"))
        .isEqualTo("for=192.0.2.60, for=127.0.0.1;proto=http;host=\"shop.example\"");
    assertThat(origin.last().header("via")).isEqualTo("1.0 edge, 1.1 batcycle");
  }

  @Test
  void addsNeitherForwardedNorViaByDefault() throws Exception {
    var received = roundTrip("GET / HTTP/1.1\r\nHost: app\r\n\r\n", Map.of());
    assertThat(received.headers().contains("forwarded")).isFalse();
    assertThat(received.headers().contains("via")).isFalse();
  }

  @Test
  void generatesARequestIdAndReturnsTheSameToTheClient() throws Exception {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    try (RawHttp raw = RawHttp.connect(proxy.port())) {
      RawResponse response = raw.send("GET / HTTP/1.1\r\nHost: app\r\n\r\n").readResponse();
      assertThat(response.header("x-request-id")).matches("[0-9a-f]{32}");
      assertThat(origin.last().header("x-request-id")).isEqualTo(response.header("x-request-id"));
    }
  }

  @Test
  void keepsAValidClientRequestIdAndReplacesAnUnsafeOne() throws Exception {
    var kept = roundTrip("GET / HTTP/1.1\r\nHost: app\r\nX-Request-Id: order-42.retry:1\r\n\r\n", Map.of());
    assertThat(kept.header("x-request-id")).isEqualTo("order-42.retry:1");
    proxy.close(); // and its origin: the next round trip starts both anew
    var replaced = roundTrip("GET / HTTP/1.1\r\nHost: app\r\nX-Request-Id: {\"inject\":1}\r\n\r\n", Map.of());
    assertThat(replaced.header("x-request-id")).matches("[0-9a-f]{32}");
  }
}
