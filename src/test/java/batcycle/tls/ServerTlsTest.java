package batcycle.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigException;
import batcycle.config.Key;
import batcycle.config.TlsConfig;
import batcycle.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS files as read and checked: every key encoding in use, refused pairs, and rotation's rules. */
class ServerTlsTest {
  private static final TestCertificates CA = TestCertificates.newCa("unit CA");
  @TempDir
  Path dir;

  private TlsConfig config(Map<Key, String> extra) {
    Map<Key, String> values = new HashMap<>();
    values.put(Key.TLS_CERT_FILE, dir.resolve("tls.crt").toString());
    values.put(Key.TLS_KEY_FILE, dir.resolve("tls.key").toString());
    values.putAll(extra);
    return BatcycleConfig.defaults().with(values).tls();
  }

  @Test
  void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
    TestCertificates.Issued rsa = CA.rsaServer("rsa.test");
    TestCertificates.Issued ec = CA.server("ec.test", Duration.ofDays(10));
    for (String key : new String[] {TestCertificates.pem(rsa.keys().getPrivate()),
        TestCertificates.pkcs8(rsa.keys().getPrivate())}) {
      Files.writeString(dir.resolve("k.pem"), key);
      assertThat(PemFiles.privateKey(dir.resolve("k.pem"), null)).isEqualTo(rsa.keys().getPrivate());
    }
    assertThat(TestCertificates.pem(rsa.keys().getPrivate())).contains("BEGIN RSA PRIVATE KEY");
    // The JDK's SEC1 encoding leaves the curve out (the certificate names it); openssl ecparam -genkey writes the
    // curve's parameters in a block of their own before the key.
    String sec1 = TestCertificates.pem(ec.keys().getPrivate());
    assertThat(sec1).contains("BEGIN EC PRIVATE KEY");
    Files.writeString(dir.resolve("k.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        + sec1);
    java.security.PublicKey certified = ec.certificate().getPublicKey();
    assertThat(PemFiles.privateKey(dir.resolve("k.pem"), certified).getEncoded())
        .isEqualTo(ec.keys().getPrivate().getEncoded());
    Files.writeString(dir.resolve("k.pem"), TestCertificates.pkcs8(ec.keys().getPrivate()));
    assertThat(PemFiles.privateKey(dir.resolve("k.pem"), null).getEncoded())
        .isEqualTo(ec.keys().getPrivate().getEncoded());
  }

  @Test
  void refusesAtStartAKeyThatIsNotTheCertificatesNamingTheKey() {
    TestCertificates.Issued one = CA.server("one.test", Duration.ofDays(10));
    TestCertificates.Issued two = CA.server("two.test", Duration.ofDays(10));
    TestCertificates.write(dir.resolve("tls.crt"), TestCertificates.pem(one.certificate()));
    TestCertificates.write(dir.resolve("tls.key"), TestCertificates.pem(two.keys().getPrivate()));
    assertThatThrownBy(() -> ServerTls.start(config(Map.of()), new SimpleMeterRegistry()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tls.keyFile: ").hasMessageContaining("does not belong to the first certificate");
  }

  @Test
  void refusesMissingFilesAndUnknownCiphersNamingTheKey() {
    assertThatThrownBy(() -> ServerTls.start(config(Map.of()), new SimpleMeterRegistry()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tls.certFile: ").hasMessageContaining("no such file");
    CA.server("ok.test", Duration.ofDays(10)).writeTo(dir, true);
    assertThatThrownBy(() -> ServerTls.start(config(Map.of(Key.TLS_CIPHERS, "TLS_RSA_WITH_NOTHING")),
        new SimpleMeterRegistry())).isInstanceOf(ConfigException.class).hasMessageContaining("tls.ciphers: ");
    TestCertificates.write(dir.resolve("tls.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
        + "-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> ServerTls.start(config(Map.of()), new SimpleMeterRegistry()))
        .hasMessageContaining("tls.keyFile: ").hasMessageContaining("encrypted");
  }

  @Test
  void rotatesToAValidPairOnlyAndKeepsServingTheOldOtherwise() {
    CA.server("first.test", Duration.ofDays(10)).writeTo(dir, false);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServerTls tls = ServerTls.start(config(Map.of()), registry);
    assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

    TestCertificates.Issued expired = CA.expiredServer("expired.test");
    expired.writeTo(dir, false);
    assertThat(tls.reloadIfChanged()).as("an expired certificate never replaces a valid one").isFalse();
    TestCertificates.write(dir.resolve("tls.crt"), "not a certificate");
    assertThat(tls.reloadIfChanged()).isFalse();
    assertThat(registry.counter("batcycle.tls.certificate.reloads", "result", "rejected").count()).isEqualTo(2);
    assertThat(tls.describe()).contains("CN=first.test");

    TestCertificates.Issued second = CA.server("second.test", Duration.ofDays(20)).writeTo(dir, true);
    assertThat(tls.reloadIfChanged()).isTrue();
    assertThat(tls.describe()).contains("CN=second.test");
    assertThat(registry.counter("batcycle.tls.certificate.reloads", "result", "applied").count()).isEqualTo(1);
    assertThat(registry.get("batcycle.tls.certificate.expiry.timestamp").tag("certificate", "serving").gauge()
        .value()).isEqualTo(second.certificate().getNotAfter().toInstant().getEpochSecond());
  }

  @Test
  void readsHandshakeFailuresOfBothImplementations() {
    assertThat(HandshakeFailure.of(new javax.net.ssl.SSLHandshakeException("Received fatal alert: bad_certificate")))
        .isEqualTo(HandshakeFailure.CLIENT_REJECTED_CERTIFICATE);
    assertThat(HandshakeFailure.of(new javax.net.ssl.SSLHandshakeException(
        "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE")))
        .isEqualTo(HandshakeFailure.CLIENT_REJECTED_CERTIFICATE);
    assertThat(HandshakeFailure.of(new javax.net.ssl.SSLHandshakeException("Empty client certificate chain")))
        .isEqualTo(HandshakeFailure.NO_CLIENT_CERTIFICATE);
    assertThat(HandshakeFailure.of(new javax.net.ssl.SSLHandshakeException("no cipher suites in common")))
        .isEqualTo(HandshakeFailure.NO_SHARED_CIPHER);
    assertThat(HandshakeFailure.of(new io.netty.handler.ssl.SslHandshakeTimeoutException("timed out")))
        .isEqualTo(HandshakeFailure.TIMEOUT);
    assertThat(HandshakeFailure.of(new RuntimeException("something new"))).isEqualTo(HandshakeFailure.OTHER);
  }

  @Test
  void percentEncodesWhatAHeaderValueCannotCarry() {
    assertThat(ClientCertificate.headerSafe("CN=Zoë,O=100%")).isEqualTo("CN=Zo%C3%AB,O=100%25");
  }
}
