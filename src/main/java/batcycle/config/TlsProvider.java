package batcycle.config;

import java.util.Locale;

/**
 * Which TLS implementation serves the proxy port: {@code auto} takes OpenSSL (BoringSSL, shipped in the jar for
 * Linux x86-64 and ARM64) when it loads on this host, else the JDK's; naming one makes its absence a start-up error.
 */
public enum TlsProvider {
  AUTO, OPENSSL, JDK;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
