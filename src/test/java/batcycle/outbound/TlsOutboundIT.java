package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.accesslog.AccessLogRecord;
import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import batcycle.testing.TestCertificates;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS origination to https remotes, against TLS servers with certificates made at test time: verification against
 * the configured CA (good), and its refusals (wrong host, expired, untrusted), each a 502 of its own; SNI; ALPN
 * choosing HTTP/2 or HTTP/1.1; and client certificates.
 */
class TlsOutboundIT {
  @TempDir
  static Path dir;
  private static TestCertificates ca;
  private static Path caFile;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  @BeforeAll
  static void certificates() {
    ca = TestCertificates.newCa("batcycle-test");
    caFile = ca.writeCa(dir.resolve("ca.pem"));
  }

  @Test
  void verifiesTheRemoteAgainstTheCaFileAndSpeaksHttp2WhenTheRemoteOffersIt() {
    RecordingOrigin remote = tlsServer(ca.server("good", Duration.ofDays(1)), true, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));

    HttpResponse<String> response = proxy.outbound("secure", "/pay");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("h2 localhost:" + remote.port() + " sni=localhost");
    assertThat(remote.last().version()).isEqualTo("h2");
  }

  @Test
  void fallsBackToHttp11WhenTheRemoteOffersNoHttp2() {
    RecordingOrigin remote = tlsServer(ca.server("h1", Duration.ofDays(1)), false, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));

    assertThat(proxy.outbound("secure", "/a").statusCode()).isEqualTo(200);
    assertThat(proxy.outbound("secure", "/b").statusCode()).isEqualTo(200);

    assertThat(remote.received()).extracting(RecordingOrigin.Received::version).containsOnly("http/1.1");
    assertThat(remote.connections()).as("the connection is pooled").isEqualTo(1);
  }

  @Test
  void aCertificateForAnotherHostIsRefusedWithItsOwnErrorCodeAndFlag() {
    RecordingOrigin remote = tlsServer(ca.wrongHostServer("other"), true, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));

    assertVerificationFailure(proxy.outbound("secure", "/x"), remote);
  }

  @Test
  void anExpiredCertificateIsRefused() {
    RecordingOrigin remote = tlsServer(ca.expiredServer("expired"), true, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));

    assertVerificationFailure(proxy.outbound("secure", "/x"), remote);
  }

  @Test
  void aCertificateFromAnUntrustedCaIsRefusedWhetherACaFileIsSetOrNot() {
    TestCertificates stranger = TestCertificates.newCa("stranger");
    RecordingOrigin remote = tlsServer(stranger.server("untrusted", Duration.ofDays(1)), true, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));
    assertVerificationFailure(proxy.outbound("secure", "/x"), remote);

    proxy.restart(outbound("https://localhost:" + remote.port(), "protocol: auto")); // the system's trust store
    assertVerificationFailure(proxy.outbound("secure", "/x"), remote);
  }

  @Test
  void theConfiguredServerNameIsSentAsSniAndVerifiedWhileTheUrlNamesAnAddress() {
    RecordingOrigin remote = tlsServer(ca.serverFor("internal", "api.internal"), false, false);
    proxy.start(outbound("https://127.0.0.1:" + remote.port(),
        "tls: {caFile: " + caFile + ", serverName: api.internal}"));

    HttpResponse<String> response = proxy.outbound("secure", "/x");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).endsWith("sni=api.internal");
  }

  @Test
  void presentsTheClientCertificateToARemoteThatRequiresOne() {
    RecordingOrigin remote = tlsServer(ca.server("mtls", Duration.ofDays(1)), true, true);
    Path client = write(ca.client("app.batcycle"));
    proxy.start(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + "}"));
    HttpResponse<String> refused = proxy.outbound("secure", "/x");
    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.headers().firstValue("x-batcycle-error")).contains("upstream_tls_failure");

    proxy.restart(outbound("https://localhost:" + remote.port(), "tls: {caFile: " + caFile + ", certFile: "
        + client.resolve("tls.crt") + ", keyFile: " + client.resolve("tls.key") + "}"));
    assertThat(proxy.outbound("secure", "/x").statusCode()).isEqualTo(200);
  }

  @Test
  void protocolH2RefusesARemoteThatDoesNotAgreeToHttp2() {
    RecordingOrigin remote = tlsServer(ca.server("h1only", Duration.ofDays(1)), false, false);
    proxy.start(outbound("https://localhost:" + remote.port(), "protocol: h2\n    tls: {caFile: " + caFile + "}"));

    HttpResponse<String> response = proxy.outbound("secure", "/x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("x-batcycle-error")).contains("upstream_tls_failure");
    assertThat(response.body()).contains("did not accept HTTP/2");
  }

  private void assertVerificationFailure(HttpResponse<String> response, RecordingOrigin remote) {
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("x-batcycle-error")).contains("upstream_tls_verification_failed");
    assertThat(response.body()).contains("failed verification");
    assertThat(remote.arrivals()).as("no request reaches a remote that failed verification").isZero();
    AccessLogRecord line = await().until(() -> proxy.accessLog().records().stream()
        .filter(r -> "outbound".equals(r.direction())).reduce((a, b) -> b), java.util.Optional::isPresent)
        .orElseThrow();
    assertThat(line.flags()).contains("UTV");
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_upstream_attempts_seconds_count", "upstream",
        "secure", "outcome", "tls_error")).isGreaterThanOrEqualTo(1.0));
  }

  /** A TLS remote that answers with its protocol, the Host it got and the SNI it was sent. */
  private RecordingOrigin tlsServer(TestCertificates.Issued certificate, boolean http2, boolean clientCertificate) {
    Path files = write(certificate);
    HttpServerOptions options = new HttpServerOptions().setSsl(true).setSni(true).setUseAlpn(http2)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.resolve("tls.crt").toString())
            .setKeyPath(files.resolve("tls.key").toString()));
    if (clientCertificate) {
      options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions()
          .addCertPath(caFile.toString()));
    }
    RecordingOrigin remote = RecordingOrigin.start(options, (request, body) -> request.response().end(
        request.version().alpnName() + " " + request.authority() + " sni=" + request.connection()
            .indicatedServerName()));
    proxy.closesAfter(remote);
    return remote;
  }

  /** The certificate's tls.crt and PKCS#8 tls.key, in a directory of its own. */
  private static Path write(TestCertificates.Issued certificate) {
    Path files = dir.resolve(certificate.name() + "-" + System.nanoTime());
    certificate.writeTo(files, true);
    return files;
  }

  /** The settings of a proxy with one outbound entry to {@code url}; {@code settings} are the entry's own. */
  private ProxyHarness.Builder outbound(String url, String settings) {
    // The handshake is bounded by timeouts.connect; a JVM's first handshakes, on a busy machine, can take seconds.
    return ProxyHarness.forUpstream(1).with(Key.RETRY_MAX_ATTEMPTS, "1").with(Key.TIMEOUTS_CONNECT, "20s").yaml("""
        outbound:
          - name: secure
            listen: 127.0.0.1:0
            upstream: %s
            %s
        """.formatted(url, settings));
  }
}
