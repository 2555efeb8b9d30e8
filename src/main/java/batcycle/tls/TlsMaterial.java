package batcycle.tls;

import batcycle.config.Key;
import batcycle.config.TlsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The contents of the TLS files, read and checked together: the served chain (leaf first), its private key, and the
 * CAs client certificates must chain to (empty when none are asked for). A pair whose key does not belong to the
 * leaf is refused here, before any handshake could fail on it.
 *
 * @param fingerprint a digest of the three files' bytes, to tell a real change from an event that changed nothing
 */
record TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> clientCas,
                   String fingerprint) {
  TlsMaterial {
    chain = List.copyOf(chain);
    clientCas = List.copyOf(clientCas);
  }

  /** A file that cannot be used, and the key that names it. */
  static final class Invalid extends Exception {
    private final Key key;

    Invalid(Key key, String message) {
      super(message, null, false, false);
      this.key = key;
    }

    Key key() {
      return key;
    }
  }

  /** Reads and checks the files {@code config} names. */
  static TlsMaterial load(TlsConfig config) throws Invalid {
    List<X509Certificate> chain;
    PrivateKey key;
    List<X509Certificate> cas = List.of();
    try {
      chain = PemFiles.certificates(Path.of(config.certFile()));
    } catch (TlsFileException e) {
      throw new Invalid(Key.TLS_CERT_FILE, e.getMessage());
    }
    try {
      key = PemFiles.privateKey(Path.of(config.keyFile()), chain.get(0).getPublicKey());
    } catch (TlsFileException e) {
      throw new Invalid(Key.TLS_KEY_FILE, e.getMessage());
    }
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new Invalid(Key.TLS_KEY_FILE, config.keyFile() + ": this private key does not belong to the first "
          + "certificate of " + config.certFile() + " (" + subject(chain.get(0)) + ")");
    }
    if (!config.clientCaFile().isEmpty()) {
      try {
        cas = PemFiles.certificates(Path.of(config.clientCaFile()));
      } catch (TlsFileException e) {
        throw new Invalid(Key.TLS_CLIENT_CA_FILE, e.getMessage());
      }
    }
    return new TlsMaterial(chain, key, cas, fingerprint(config));
  }

  /** A digest of the files' bytes as they are now; a file that cannot be read counts as its error. */
  static String fingerprint(TlsConfig config) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String file : List.of(config.certFile(), config.keyFile(), config.clientCaFile())) {
        if (file.isEmpty()) {
          continue;
        }
        try {
          sha.update(Files.readAllBytes(Path.of(file)));
        } catch (java.io.IOException e) {
          sha.update(("unreadable " + file).getBytes(StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The leaf certificate, the one the handshake presents. */
  X509Certificate leaf() {
    return chain.get(0);
  }

  /** When the first certificate of the served chain expires. */
  Instant servingExpiry() {
    return earliestExpiry(chain);
  }

  /** When the first of the client CAs expires; null when there are none. */
  Instant clientCaExpiry() {
    return clientCas.isEmpty() ? null : earliestExpiry(clientCas);
  }

  /** True when the leaf is outside its validity period at {@code now}. */
  boolean leafExpiredAt(Instant now) {
    return now.isAfter(leaf().getNotAfter().toInstant()) || now.isBefore(leaf().getNotBefore().toInstant());
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  private static Instant earliestExpiry(List<X509Certificate> certs) {
    Instant earliest = null;
    for (X509Certificate cert : certs) {
      Instant notAfter = cert.getNotAfter().toInstant();
      if (earliest == null || notAfter.isBefore(earliest)) {
        earliest = notAfter;
      }
    }
    return earliest;
  }

  /** Signs a random message with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // RSASSA-PSS and the like: the handshake itself will tell
    }
    try {
      byte[] message = new byte[32];
      new SecureRandom().nextBytes(message);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The chain's subjects, for log lines. */
  List<String> subjects() {
    List<String> out = new ArrayList<>();
    chain.forEach(cert -> out.add(subject(cert)));
    return out;
  }
}
