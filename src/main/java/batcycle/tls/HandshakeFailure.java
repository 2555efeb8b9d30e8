package batcycle.tls;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Why a TLS handshake failed, as a low-cardinality label. Both TLS implementations are read: the JDK says it in
 * English, BoringSSL in its error names, so each reason lists the words of both.
 */
public enum HandshakeFailure {
  /** The client did not speak TLS at all (plain HTTP sent to the HTTPS port, or other bytes). */
  NOT_TLS,
  /** The client offers only TLS versions this port does not accept (1.1 and older, or 1.2 with minVersion 1.3). */
  PROTOCOL_VERSION("protocol version", "protocol_version", "unsupported_protocol", "no_protocols_available"),
  /** No cipher suite in common. */
  NO_SHARED_CIPHER("no cipher suites in common", "no_shared_cipher", "no_ciphers_available",
      "insufficient_security"),
  /** A client certificate is required and the client sent none. */
  NO_CLIENT_CERTIFICATE("empty client certificate chain", "empty certificate chain",
      "peer_did_not_return_a_certificate"),
  /** The client's certificate does not chain to tls.clientCaFile, has expired, or is not for client auth. */
  BAD_CLIENT_CERTIFICATE("pkix path", "certificate_verify_failed", "extended key usage",
      "certificate signature", "unable to find valid certification path"),
  /** The client refused batcycle's certificate (unknown CA, wrong host name, expired). */
  CLIENT_REJECTED_CERTIFICATE("alert: certificate_unknown", "alert: bad_certificate", "alert: unknown_ca",
      "alert: certificate_expired", "alert: unsupported_certificate", "alert: certificate_revoked",
      "alert_certificate_unknown", "alert_bad_certificate", "alert_unknown_ca", "alert_certificate_expired",
      "alert_unsupported_certificate", "alert_certificate_revoked"),
  /** Not complete within tls.handshakeTimeout. */
  TIMEOUT,
  /** The client closed or reset the connection during the handshake. */
  CLOSED("connection closed", "connection reset", "broken pipe", "closed while ssl/tls handshake"),
  OTHER;

  private final String[] words;

  HandshakeFailure(String... words) {
    this.words = words;
  }

  /** The label value, {@code bad_client_certificate}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The reason for a failed handshake's cause. */
  static HandshakeFailure of(Throwable failure) {
    if (failure instanceof SslHandshakeTimeoutException) {
      return TIMEOUT;
    }
    if (failure instanceof ClosedChannelException) {
      return CLOSED;
    }
    StringBuilder text = new StringBuilder();
    boolean certificateProblem = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      text.append(' ').append(t.getMessage());
      certificateProblem |= t instanceof CertificateException;
    }
    String message = text.toString().toLowerCase(Locale.ROOT);
    // Most specific first: an alert from the client names our certificate, a verification failure names theirs.
    for (HandshakeFailure reason : new HandshakeFailure[] {CLIENT_REJECTED_CERTIFICATE, NO_CLIENT_CERTIFICATE,
        BAD_CLIENT_CERTIFICATE, PROTOCOL_VERSION, NO_SHARED_CIPHER, CLOSED}) {
      for (String word : reason.words) {
        if (message.contains(word)) {
          return reason;
        }
      }
    }
    return certificateProblem ? BAD_CLIENT_CERTIFICATE : OTHER;
  }
}
