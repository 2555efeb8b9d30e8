package batcycle.config;

import java.util.Locale;

/** Whether the proxy port asks TLS clients for a certificate ({@code tls.clientAuth}). */
public enum ClientAuth {
  /** No client certificate is asked for. */
  NONE,
  /** Asked for; a client without one is served, one with an untrusted certificate is refused. */
  OPTIONAL,
  /** A certificate that chains to {@code tls.clientCaFile} is required (mTLS). */
  REQUIRED;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
