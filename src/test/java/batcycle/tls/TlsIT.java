package batcycle.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RecordingOrigin;
import batcycle.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTPS on the proxy port with certificates made at test time: ALPN to h2 with a real HTTP/2 client (the JDK's), on
 * both TLS implementations; https in the forwarding headers; mTLS accepted and refused; handshake failures counted by
 * reason; plain HTTP answered with a clear 400.
 */
class TlsIT {
  private static final TestCertificates CA = TestCertificates.newCa("test CA");
  private static RecordingOrigin app;
  @TempDir
  static Path dir;
  private static TestCertificates.Issued server;

  @BeforeAll
  static void startApp() {
    app = RecordingOrigin.start();
    server = CA.server("batcycle.test", Duration.ofDays(30)).writeTo(dir.resolve("server"), false);
  }

  @AfterAll
  static void stopApp() {
    app.close();
  }

  private static ProxyHarness proxy(Map<Key, String> extra) {
    Map<Key, String> values = new EnumMap<>(Key.class);
    values.put(Key.TLS_CERT_FILE, dir.resolve("server/tls.crt").toString());
    values.put(Key.TLS_KEY_FILE, dir.resolve("server/tls.key").toString());
    values.putAll(extra);
    return ProxyHarness.forUpstream(app.port()).with(values).start();
  }

  private static HttpClient client(SSLContext context, HttpClient.Version version) {
    return HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * One handshake on a blocking socket, checking the host name as an HTTPS client does, then one request (over TLS
   * 1.3 the server only checks a client certificate after the client's side of the handshake is done).
   */
  private static void handshake(ProxyHarness proxy, SSLContext context) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      socket.getOutputStream().write("GET /handshake HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      if (socket.getInputStream().read() < 0) {
        throw new IOException("closed by the server");
      }
    }
  }

  private static HttpResponse<String> get(HttpClient client, ProxyHarness proxy, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + path))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void negotiatesHttp2ByAlpnAndTellsTheAppTheRequestWasHttps(String provider) throws Exception {
    try (ProxyHarness proxy = proxy(Map.of(Key.TLS_PROVIDER, provider, Key.HEADERS_FORWARDED, "true"))) {
      HttpResponse<String> h2 = get(client(CA.context(null), HttpClient.Version.HTTP_2), proxy, "/h2");
      assertThat(h2.statusCode()).isEqualTo(200);
      assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(((X509Certificate) h2.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal()
          .getName()).contains("CN=batcycle.test");
      RecordingOrigin.Received seen = app.last();
      assertThat(seen.uri()).isEqualTo("/h2");
      assertThat(seen.header("x-forwarded-proto")).isEqualTo("https");
      assertThat(seen.header("x-forwarded-port")).isEqualTo(Integer.toString(proxy.port()));
      assertThat(seen.header("forwarded")).contains("proto=https");

      HttpResponse<String> h1 = get(client(CA.context(null), HttpClient.Version.HTTP_1_1), proxy, "/h1");
      assertThat(h1.statusCode()).isEqualTo(200);
      assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(app.last().header("x-forwarded-proto")).isEqualTo("https");
      await().untilAsserted(() -> {
        assertThat(proxy.metric("batcycle_tls_handshakes_total")).isGreaterThanOrEqualTo(2);
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total")).isZero();
      });
    }
  }

  @Test
  void tunnelsASecureWebSocket() throws Exception {
    Vertx originVertx = Vertx.vertx();
    try {
      HttpServer origin = originVertx.createHttpServer()
          .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage));
      int originPort = Futures.await(origin.listen(0, "127.0.0.1")).actualPort();
      try (ProxyHarness proxy = ProxyHarness.forUpstream(originPort)
          .with(Key.TLS_CERT_FILE, dir.resolve("server/tls.crt").toString())
          .with(Key.TLS_KEY_FILE, dir.resolve("server/tls.key").toString()).start()) {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newBuilder().sslContext(CA.context(null)).build().newWebSocketBuilder()
            .buildAsync(URI.create("wss://127.0.0.1:" + proxy.port() + "/ws"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                echoed.complete(data.toString());
                return null;
              }
            }).get(20, TimeUnit.SECONDS);
        ws.sendText("over tls", true).get(20, TimeUnit.SECONDS);
        assertThat(echoed.get(20, TimeUnit.SECONDS)).isEqualTo("over tls");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(20, TimeUnit.SECONDS);
      }
    } finally {
      Futures.await(originVertx.close());
    }
  }

  @Test
  void answersPlainHttpOnTheHttpsPortWith400AndCountsIt() throws Exception {
    try (ProxyHarness proxy = proxy(Map.of())) {
      try (RawHttp raw = RawHttp.connect(proxy.port())) {
        var response = raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("x-batcycle-error")).isEqualTo("bad_request");
        assertThat(response.bodyText()).contains("https://");
        assertThat(raw.isClosedByPeer()).isTrue();
      }
      await().untilAsserted(() ->
          assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "not_tls")).isEqualTo(1));
    }
  }

  @Test
  void abandonsAHandshakeThatStallsAndClosesOtherBytesAtOnce() throws Exception {
    try (ProxyHarness proxy = proxy(Map.of(Key.TLS_HANDSHAKE_TIMEOUT, "300ms"))) {
      try (RawHttp stalled = RawHttp.connect(proxy.port())) {
        stalled.send(new byte[] {22, 3, 1}); // the start of a TLS record, and nothing more
        assertThat(stalled.isClosedByPeer()).isTrue();
      }
      try (RawHttp binary = RawHttp.connect(proxy.port())) {
        binary.send(new byte[] {0, 1, 2, 3});
        assertThat(binary.isClosedByPeer()).isTrue();
      }
      await().untilAsserted(() -> {
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "timeout")).isEqualTo(1);
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "not_tls")).isEqualTo(1);
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void aClientRefusingTheCertificateForItsHostIsCountedByReason(String provider) throws Exception {
    TestCertificates.Issued other = CA.wrongHostServer("other.example").writeTo(dir.resolve("wrong-host"), true);
    Map<Key, String> files = Map.of(Key.TLS_CERT_FILE, dir.resolve("wrong-host/tls.crt").toString(),
        Key.TLS_KEY_FILE, dir.resolve("wrong-host/tls.key").toString(), Key.TLS_PROVIDER, provider);
    try (ProxyHarness proxy = proxy(files)) {
      assertThat(other.certificate().getSubjectX500Principal().getName()).contains("other.example");
      // A blocking socket, as curl or Go would: it sends its alert before closing (the JDK's HTTP client may not).
      assertThatThrownBy(() -> handshake(proxy, CA.context(null))).isInstanceOf(SSLHandshakeException.class);
      await().untilAsserted(() -> assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason",
          "client_rejected_certificate")).isEqualTo(1));
      assertThat(app.received().stream().filter(r -> r.uri().equals("/wrong-host"))).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void requiresATrustedClientCertificateWithMutualTls(String provider) throws Exception {
    Path caFile = CA.writeCa(dir.resolve("clients/ca.crt"));
    TestCertificates strangers = TestCertificates.newCa("another CA");
    try (ProxyHarness proxy = proxy(Map.of(Key.TLS_PROVIDER, provider, Key.TLS_CLIENT_CA_FILE, caFile.toString(),
        Key.TLS_CLIENT_AUTH, "required", Key.HEADERS_CLIENT_CERT_HEADER, "X-Client-Cert-Subject"))) {
      HttpResponse<String> accepted = client(CA.client("orders").clientContext(CA), HttpClient.Version.HTTP_2)
          .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + "/mtls"))
              .header("X-Client-Cert-Subject", "CN=admin").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).isEqualTo(200);
      assertThat(app.last().headers().getAll("x-client-cert-subject")).containsExactly("CN=orders,O=batcycle tests");

      assertThatThrownBy(() -> handshake(proxy, CA.context(null))).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> handshake(proxy, strangers.client("intruder").clientContext(CA)))
          .isInstanceOf(IOException.class);
      await().untilAsserted(() -> {
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "no_client_certificate"))
            .isEqualTo(1);
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "bad_client_certificate"))
            .isEqualTo(1);
      });
      assertThat(app.received()).noneMatch(r -> r.uri().equals("/anonymous") || r.uri().equals("/stranger"));
      assertThat(proxy.metric("batcycle_tls_certificate_expiry_timestamp_seconds", "certificate", "client_ca"))
          .isEqualTo(CA.ca().certificate().getNotAfter().toInstant().getEpochSecond());
    }
  }

  @Test
  void optionalClientCertificatesLetAnonymousClientsInButNeverTheirOwnSubjectHeader() throws Exception {
    Path caFile = CA.writeCa(dir.resolve("optional/ca.crt"));
    try (ProxyHarness proxy = proxy(Map.of(Key.TLS_CLIENT_CA_FILE, caFile.toString(), Key.TLS_CLIENT_AUTH,
        "optional", Key.HEADERS_CLIENT_CERT_HEADER, "X-Client-Cert-Subject"))) {
      HttpResponse<String> anonymous = client(CA.context(null), HttpClient.Version.HTTP_1_1)
          .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + "/anonymous-optional"))
              .header("X-Client-Cert-Subject", "CN=admin").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(200);
      assertThat(app.last().uri()).isEqualTo("/anonymous-optional");
      assertThat(app.last().header("x-client-cert-subject")).isNull();

      HttpResponse<String> known = get(client(CA.client("billing").clientContext(CA), HttpClient.Version.HTTP_1_1),
          proxy, "/known-optional");
      assertThat(known.statusCode()).isEqualTo(200);
      assertThat(app.last().header("x-client-cert-subject")).isEqualTo("CN=billing,O=batcycle tests");
    }
  }

  @Test
  void refusesClientsBelowTheMinimumVersionAndPublishesTheCertificateExpiry() throws Exception {
    try (ProxyHarness proxy = proxy(Map.of(Key.TLS_MIN_VERSION, "1.3"))) {
      SSLParameters tls12 = new SSLParameters();
      tls12.setProtocols(new String[] {"TLSv1.2"});
      HttpClient old = HttpClient.newBuilder().sslContext(CA.context(null)).sslParameters(tls12)
          .version(HttpClient.Version.HTTP_1_1).build();
      assertThatThrownBy(() -> get(old, proxy, "/old")).isInstanceOf(IOException.class);
      assertThat(app.received()).noneMatch(r -> r.uri().equals("/old"));
      assertThat(get(client(CA.context(null), HttpClient.Version.HTTP_1_1), proxy, "/new").statusCode())
          .isEqualTo(200);
      await().untilAsserted(() -> {
        assertThat(proxy.metric("batcycle_tls_handshake_failures_total", "reason", "protocol_version"))
            .isGreaterThanOrEqualTo(1); // the JDK's client tries a refused connection more than once
        assertThat(proxy.metric("batcycle_tls_handshakes_total", "protocol", "TLSv1.3")).isEqualTo(1);
      });
      assertThat(proxy.metric("batcycle_tls_certificate_expiry_timestamp_seconds", "certificate", "serving"))
          .isEqualTo(server.certificate().getNotAfter().toInstant().getEpochSecond());
    }
  }
}
