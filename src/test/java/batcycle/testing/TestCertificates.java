package batcycle.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time, and server or client certificates it signs (or not), written as PEM
 * files the way a Kubernetes Secret mounts them: {@code ca.pem}, and for each certificate its chain and a PKCS#8 key
 * (the key format batcycle reads without BouncyCastle). EC P-256 keys, so making them takes milliseconds.
 */
public final class TestCertificates {
  /** A certificate's files. */
  public record Files(Path cert, Path key) {}

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final Path caFile;

  private TestCertificates(Path dir, String name) {
    this.dir = dir;
    this.caKeys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(30))), subject, caKeys.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(caKeys.getPublic()));
      this.ca = sign(builder);
      this.caFile = write(name + "-ca.pem", pem(ca));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new CA writing its files into {@code dir}. */
  public static TestCertificates authority(Path dir, String name) {
    return new TestCertificates(dir, name);
  }

  /** The CA certificate, as {@code tls.caFile} takes it. */
  public Path caFile() {
    return caFile;
  }

  /** A server certificate for these DNS names and IP addresses, valid from an hour ago for a day. */
  public Files server(String file, List<String> names) {
    Instant now = Instant.now();
    return issue(file, names, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth);
  }

  /** A server certificate for these names that expired an hour ago. */
  public Files expiredServer(String file, List<String> names) {
    Instant now = Instant.now();
    return issue(file, names, now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)),
        KeyPurposeId.id_kp_serverAuth);
  }

  /** A client certificate (mTLS). */
  public Files client(String file, String name) {
    Instant now = Instant.now();
    return issue(file, List.of(name), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
        KeyPurposeId.id_kp_clientAuth);
  }

  private Files issue(String file, List<String> names, Instant from, Instant to, KeyPurposeId purpose) {
    KeyPair keys = keyPair();
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal()
          .getName()), BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to),
          new X500Name("CN=" + names.get(0)), keys.getPublic());
      List<GeneralName> alternatives = new ArrayList<>();
      for (String name : names) {
        boolean ip = name.chars().allMatch(c -> Character.isDigit(c) || c == '.') || name.contains(":");
        alternatives.add(ip ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress())
            : new GeneralName(GeneralName.dNSName, name));
      }
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(alternatives.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
      X509Certificate certificate = sign(builder);
      StringWriter key = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
        writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
      }
      return new Files(write(file + ".pem", pem(certificate)), write(file + "-key.pem", key.toString()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder builder) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  private Path write(String name, String content) {
    try {
      return java.nio.file.Files.writeString(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
