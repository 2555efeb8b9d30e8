package batcycle.config;

import java.util.Locale;

/** How batcycle talks to the app. */
public enum UpstreamProtocol {
  HTTP1,
  /** HTTP/2 over cleartext with prior knowledge (RFC 9113 §3.3): what gRPC servers speak. */
  H2C;

  static UpstreamProtocol parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "http1", "http/1.1", "h1" -> HTTP1;
      case "h2c", "http2", "h2" -> H2C;
      default -> throw new IllegalArgumentException("http1 or h2c");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
