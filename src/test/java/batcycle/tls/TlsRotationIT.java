package batcycle.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import batcycle.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation without a restart, with the files in a directory laid out as the kubelet lays out a Secret
 * volume and updated its way (a {@code ..data} symlink swap): an open connection keeps working, a new one gets the new
 * certificate, and a broken pair is refused while the old certificate stays in use.
 */
class TlsRotationIT {
  private static final TestCertificates CA = TestCertificates.newCa("rotation CA");
  private static RecordingOrigin app;
  @TempDir
  Path dir;

  @BeforeAll
  static void startApp() {
    app = RecordingOrigin.start();
  }

  @AfterAll
  static void stopApp() {
    app.close();
  }

  private ProxyHarness proxy(TestCertificates.SecretVolume volume) {
    // A long poll interval: the directory's events must be what notices the swap.
    return ProxyHarness.forUpstream(app.port()).with(Key.TLS_CERT_FILE, volume.certFile().toString())
        .with(Key.TLS_KEY_FILE, volume.keyFile().toString()).with(Key.RELOAD_POLL_INTERVAL, "1h").start();
  }

  /** A keep-alive HTTP/1.1 connection over TLS, one request at a time. */
  private static final class Connection implements AutoCloseable {
    private final SSLSocket socket;
    private final BufferedReader in;

    Connection(int port) throws IOException {
      socket = (SSLSocket) CA.context(null).getSocketFactory().createSocket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    String servedTo() throws IOException {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    int get(String path) throws IOException {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String status = in.readLine();
      int length = 0;
      for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      for (int i = 0; i < length; i++) {
        in.read();
      }
      return Integer.parseInt(status.split(" ")[1]);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void aNewCertificateServesNewConnectionsWhileAnOpenOneGoesOn() throws Exception {
    TestCertificates.SecretVolume volume = new TestCertificates.SecretVolume(dir);
    volume.publish(CA.server("before.test", Duration.ofDays(2)));
    try (ProxyHarness proxy = proxy(volume); Connection open = new Connection(proxy.port())) {
      assertThat(open.get("/before")).isEqualTo(200);
      assertThat(open.servedTo()).startsWith("CN=before.test");

      TestCertificates.Issued after = CA.server("after.test", Duration.ofDays(90));
      volume.publish(after);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        try (Connection fresh = new Connection(proxy.port())) {
          assertThat(fresh.servedTo()).startsWith("CN=after.test");
          assertThat(fresh.get("/after")).isEqualTo(200);
        }
      });
      assertThat(open.get("/still-open")).isEqualTo(200);
      assertThat(open.servedTo()).startsWith("CN=before.test");
      assertThat(proxy.metric("batcycle_tls_certificate_reloads_total", "result", "applied")).isEqualTo(1);
      assertThat(proxy.metric("batcycle_tls_certificate_expiry_timestamp_seconds", "certificate", "serving"))
          .isEqualTo(after.certificate().getNotAfter().toInstant().getEpochSecond());
    }
  }

  @Test
  void aBrokenPairIsRefusedAndTheRunningCertificateStays() throws Exception {
    TestCertificates.SecretVolume volume = new TestCertificates.SecretVolume(dir);
    volume.publish(CA.server("good.test", Duration.ofDays(5)));
    try (ProxyHarness proxy = proxy(volume)) {
      TestCertificates.Issued one = CA.server("one.test", Duration.ofDays(30));
      TestCertificates.Issued two = CA.server("two.test", Duration.ofDays(30));
      // A certificate with somebody else's key: a Secret half updated by hand.
      volume.publish(TestCertificates.pem(one.certificate()), TestCertificates.pem(two.keys().getPrivate()));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
          proxy.metric("batcycle_tls_certificate_reloads_total", "result", "rejected")).isEqualTo(1));
      try (Connection fresh = new Connection(proxy.port())) {
        assertThat(fresh.servedTo()).startsWith("CN=good.test");
        assertThat(fresh.get("/still-good")).isEqualTo(200);
      }
      // An expired certificate never replaces a valid one either.
      volume.publish(CA.expiredServer("expired.test"));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
          proxy.metric("batcycle_tls_certificate_reloads_total", "result", "rejected")).isEqualTo(2));
      // Fixed: the next change is applied.
      volume.publish(two);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        try (Connection fresh = new Connection(proxy.port())) {
          assertThat(fresh.servedTo()).startsWith("CN=two.test");
        }
      });
      assertThat(proxy.metric("batcycle_tls_certificate_reloads_total", "result", "applied")).isEqualTo(1);
    }
  }
}
