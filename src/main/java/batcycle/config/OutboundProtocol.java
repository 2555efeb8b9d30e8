package batcycle.config;

import java.util.Locale;

/** How batcycle talks to an outbound remote. */
public enum OutboundProtocol {
  /** https: HTTP/2 when the remote offers it in ALPN, else HTTP/1.1; http: HTTP/1.1. */
  AUTO,
  HTTP1,
  /** https: HTTP/2 only (ALPN h2); http: HTTP/2 over cleartext with prior knowledge (h2c). */
  H2;

  static OutboundProtocol parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> AUTO;
      case "http1", "http/1.1", "h1" -> HTTP1;
      case "h2", "http2", "h2c" -> H2;
      default -> throw new IllegalArgumentException("auto, http1 or h2");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
