package batcycle.config;

/** The oldest TLS version the proxy port accepts; older ones (1.0, 1.1, SSL) are never offered. */
public enum TlsVersion {
  TLS_1_2("1.2", "TLSv1.2"), TLS_1_3("1.3", "TLSv1.3");

  private final String text;
  private final String protocolName;

  TlsVersion(String text, String protocolName) {
    this.text = text;
    this.protocolName = protocolName;
  }

  static TlsVersion parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT).replace("tlsv", "")) {
      case "1.2" -> TLS_1_2;
      case "1.3" -> TLS_1_3;
      default -> throw new IllegalArgumentException("1.2 or 1.3");
    };
  }

  /** The JSSE protocol names enabled: this version and any newer one. */
  public String[] protocols() {
    return this == TLS_1_3 ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
  }

  /** The JSSE name, {@code TLSv1.2}. */
  public String protocolName() {
    return protocolName;
  }

  @Override
  public String toString() {
    return text;
  }
}
