package batcycle.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.net.Socket;
import java.security.Principal;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time with BouncyCastle: a CA, and leaves it signs (for 127.0.0.1 and localhost, for
 * another host, expired ones, client certificates), written as PEM files the way a Kubernetes TLS Secret holds them.
 * Nothing is checked in, so nothing expires in the repository.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key and its certificate (chain: leaf only, or leaf and issuer). */
  public record Issued(String name, KeyPair keys, X509Certificate certificate) {
    /** Writes {@code <dir>/tls.crt} and {@code <dir>/tls.key} (PKCS#8 or the algorithm's traditional encoding). */
    public Issued writeTo(Path dir, boolean pkcs8) {
      write(dir.resolve("tls.crt"), pem(certificate));
      write(dir.resolve("tls.key"), pkcs8 ? pkcs8(keys.getPrivate()) : pem(keys.getPrivate()));
      return this;
    }

    /** A client SSL context presenting this certificate and trusting {@code trusted}. */
    public SSLContext clientContext(TestCertificates trusted) {
      return trusted.context(this);
    }
  }

  private final Issued ca;

  private TestCertificates(Issued ca) {
    this.ca = ca;
  }

  /** A new CA (EC P-256: fast to make). */
  public static TestCertificates newCa(String name) {
    KeyPair keys = ec();
    X500Name subject = name(name);
    Instant now = Instant.now();
    return new TestCertificates(new Issued(name, keys, sign(subject, subject, keys, keys.getPrivate(),
        now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), true, null, null)));
  }

  public Issued ca() {
    return ca;
  }

  /** A server certificate for 127.0.0.1 and localhost, valid for {@code validity} from an hour ago. */
  public Issued server(String name, Duration validity) {
    return server(name, ec(), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(validity), "127.0.0.1",
        "localhost");
  }

  /** A server certificate with an RSA key (written as PKCS#1, cert-manager's default). */
  public Issued rsaServer(String name) {
    try {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      return server(name, rsa.generateKeyPair(), Instant.now().minus(Duration.ofHours(1)),
          Instant.now().plus(Duration.ofDays(30)), "127.0.0.1", "localhost");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server certificate for the given DNS names and IP addresses, valid from an hour ago for 30 days. */
  public Issued serverFor(String name, String... hosts) {
    return server(name, ec(), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)),
        hosts);
  }

  /** A certificate whose validity ended yesterday. */
  public Issued expiredServer(String name) {
    return server(name, ec(), Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)),
        "127.0.0.1", "localhost");
  }

  /** A valid certificate for a host name that is not the one clients connect to. */
  public Issued wrongHostServer(String name) {
    return server(name, ec(), Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)),
        "other.example");
  }

  /** A client certificate (extended key usage clientAuth). */
  public Issued client(String commonName) {
    KeyPair keys = ec();
    Instant now = Instant.now();
    X509Certificate cert = sign(name(commonName),
        X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), keys, ca.keys().getPrivate(),
        now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), false, KeyPurposeId.id_kp_clientAuth, null);
    return new Issued(commonName, keys, cert);
  }

  private Issued server(String name, KeyPair keys, Instant from, Instant to, String... hosts) {
    X509Certificate cert = sign(name(name),
        X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), keys, ca.keys().getPrivate(), from, to,
        false, KeyPurposeId.id_kp_serverAuth, hosts);
    return new Issued(name, keys, cert);
  }

  /** Writes the CA certificate as a PEM file (a client CA bundle, the Secret's ca.crt). */
  public Path writeCa(Path file) {
    write(file, pem(ca.certificate()));
    return file;
  }

  /** A client SSL context trusting this CA and presenting {@code identity} (null: no client certificate). */
  public SSLContext context(Issued identity) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (identity != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", identity.keys().getPrivate(), "pw".toCharArray(),
            new X509Certificate[] {identity.certificate()});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "pw".toCharArray());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : new KeyManager[] {new Presenting((X509KeyManager) kmf.getKeyManagers()[0])},
          tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Presents its one certificate whatever issuers the server names, as a misconfigured client would: the JDK's own
   * key manager would send none rather than one the server cannot trust.
   */
  private static final class Presenting extends X509ExtendedKeyManager {
    private final X509KeyManager keys;

    Presenting(X509KeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "me";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return "me";
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"me"};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  private static X509Certificate sign(X500Name subject, X500Name issuer, KeyPair keys, PrivateKey issuerKey,
                                      Instant from, Instant to, boolean ca, KeyPurposeId purpose, String[] hosts) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to), subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
          : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (purpose != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      if (hosts != null) {
        GeneralName[] names = new GeneralName[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
          boolean ip = Character.isDigit(hosts[i].charAt(0));
          names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, hosts[i]);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException("could not make a test certificate", e);
    }
  }

  /** As certificates usually are, most general first in DER, so RFC 2253 reads {@code CN=name,O=batcycle tests}. */
  private static X500Name name(String commonName) {
    return new X500Name("O=batcycle tests,CN=" + commonName);
  }

  private static KeyPair ec() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM of certificates, or of a key in its traditional encoding (PKCS#1 for RSA, SEC1 for EC). */
  public static String pem(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static String pkcs8(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A directory laid out as the kubelet lays out a Secret volume: {@code ..<version>/} holds the files,
   * {@code ..data} points to it, and {@code tls.crt}, {@code tls.key}, {@code ca.crt} point through {@code ..data}.
   */
  public static final class SecretVolume {
    private final Path dir;
    private int version;

    public SecretVolume(Path dir) {
      this.dir = dir;
    }

    public Path certFile() {
      return dir.resolve("tls.crt");
    }

    public Path keyFile() {
      return dir.resolve("tls.key");
    }

    /**
     * Publishes new contents the kubelet's way: a new versioned directory, a {@code ..data_tmp} link to it, renamed
     * over {@code ..data} in one step; the visible files never change, their link target does.
     */
    public void publish(String cert, String key) {
      try {
        Path versioned = dir.resolve("..v" + (++version));
        write(versioned.resolve("tls.crt"), cert);
        write(versioned.resolve("tls.key"), key);
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, versioned.getFileName());
        Files.move(tmp, dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        for (String name : List.of("tls.crt", "tls.key")) {
          Path link = dir.resolve(name);
          if (!Files.isSymbolicLink(link)) {
            Files.createSymbolicLink(link, Path.of("..data", name));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void publish(Issued issued) {
      publish(pem(issued.certificate()), pem(issued.keys().getPrivate()));
    }
  }
}
