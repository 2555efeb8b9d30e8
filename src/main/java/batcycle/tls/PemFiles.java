package batcycle.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as a Kubernetes TLS Secret or cert-manager writes them: certificates, and an unencrypted private
 * key in any of the three encodings in use, PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY},
 * cert-manager's default for RSA) and SEC1 ({@code EC PRIVATE KEY}, what {@code openssl ecparam -genkey} writes).
 * The JDK reads only PKCS#8, so the other two are wrapped into it: the same key, with the algorithm named outside.
 */
final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] RSA_ENCRYPTION = oid(1, 2, 840, 113549, 1, 1, 1);
  private static final byte[] EC_PUBLIC_KEY = oid(1, 2, 840, 10045, 2, 1);
  private static final byte SEQUENCE = 0x30;
  private static final byte INTEGER = 0x02;
  private static final byte OCTET_STRING = 0x04;
  private static final byte NULL = 0x05;
  private static final byte EC_PARAMETERS_TAG = (byte) 0xa0;

  private PemFiles() {}

  /** The certificates of a PEM file, in order; at least one. */
  static List<X509Certificate> certificates(Path file) throws TlsFileException {
    byte[] bytes = read(file);
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) cert);
      }
      if (out.isEmpty()) {
        throw new TlsFileException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
      }
      return out;
    } catch (CertificateException e) {
      throw new TlsFileException(file + ": not a PEM certificate file (" + e.getMessage() + ")");
    }
  }

  /**
   * The first private key of a PEM file; {@code certified}: the public key of its certificate, whose curve a SEC1 key
   * written without its parameters (the JDK's own encoding does that) is read with; may be null.
   */
  static PrivateKey privateKey(Path file, PublicKey certified) throws TlsFileException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // EC PARAMETERS before an EC key, or a certificate in the same file
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new TlsFileException(file + ": the " + type + " block is not valid base64");
      }
      byte[] pkcs8 = switch (type) {
        case "PRIVATE KEY" -> der;
        case "RSA PRIVATE KEY" -> pkcs8(RSA_ENCRYPTION, der(NULL), der);
        case "EC PRIVATE KEY" -> pkcs8(EC_PUBLIC_KEY, sec1Curve(file, der, certified), der);
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(file
            + ": the private key is encrypted; give batcycle an unencrypted key (as a Kubernetes TLS Secret holds it)");
        default -> throw new TlsFileException(file + ": unsupported key type " + type);
      };
      return decode(file, pkcs8);
    }
    throw new TlsFileException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
  }

  private static PrivateKey decode(Path file, byte[] pkcs8) throws TlsFileException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
    for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // not this algorithm; the next one is tried
      }
    }
    throw new TlsFileException(file + ": the private key is not an RSA, EC or Ed25519 key this JDK can read");
  }

  private static byte[] read(Path file) throws TlsFileException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(file + ": no such file");
    } catch (IOException e) {
      throw new TlsFileException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * The named-curve parameter of a SEC1 ECPrivateKey (RFC 5915 §3), as its DER-encoded OID; when the key omits it,
   * the curve of the certificate's public key (X.509 SubjectPublicKeyInfo: the algorithm's parameters).
   */
  private static byte[] sec1Curve(Path file, byte[] sec1, PublicKey certified) throws TlsFileException {
    try {
      int[] seq = header(sec1, 0);
      int at = seq[0];
      int end = seq[0] + seq[1];
      while (at < end) {
        int[] field = header(sec1, at);
        if (sec1[at] == EC_PARAMETERS_TAG) {
          return java.util.Arrays.copyOfRange(sec1, field[0], field[0] + field[1]);
        }
        at = field[0] + field[1];
      }
      if (certified != null && certified.getAlgorithm().equals("EC")) {
        byte[] spki = certified.getEncoded();
        int[] algorithm = header(spki, header(spki, 0)[0]);
        int[] oid = header(spki, algorithm[0]);
        int parameters = oid[0] + oid[1];
        return java.util.Arrays.copyOfRange(spki, parameters, algorithm[0] + algorithm[1]);
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new TlsFileException(file + ": the EC private key is not valid DER");
    }
    throw new TlsFileException(file + ": the EC private key names no curve; write it with its parameters");
  }

  /** {@code {offset of the contents, length of the contents}} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int length = der[at + 1] & 0xff;
    int contents = at + 2;
    if (length > 0x7f) {
      int bytes = length & 0x7f;
      length = 0;
      for (int i = 0; i < bytes; i++) {
        length = length << 8 | (der[contents++] & 0xff);
      }
    }
    return new int[] {contents, length};
  }

  /** PKCS#8 PrivateKeyInfo: version 0, the algorithm with its parameters, the key as an octet string. */
  private static byte[] pkcs8(byte[] algorithm, byte[] parameters, byte[] key) {
    return der(SEQUENCE, der(INTEGER, new byte[] {0}), der(SEQUENCE, algorithm, parameters), der(OCTET_STRING, key));
  }

  private static byte[] der(byte tag, byte[]... parts) {
    ByteArrayOutputStream contents = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      contents.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = contents.size();
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(contents.toByteArray());
    return out.toByteArray();
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      int groups = 0;
      for (int v = arc; v > 0x7f; v >>>= 7) {
        groups++;
      }
      for (int g = groups; g >= 0; g--) {
        body.write((arc >>> (7 * g)) & 0x7f | (g > 0 ? 0x80 : 0));
      }
    }
    return der((byte) 0x06, body.toByteArray());
  }
}
