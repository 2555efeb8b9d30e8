package batcycle.config;

/** A listen address such as {@code 0.0.0.0:8000}; port 0 asks the OS for a free port (tests). */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0..65535");
    }
  }

  /** Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces). */
  public static HostPort parse(String text) {
    text = text.trim();
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("missing ':PORT'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) { // "::1" would otherwise become host ":" and port 1
      throw new IllegalArgumentException("an IPv6 host must be in brackets, such as [::1]:8000");
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    return new HostPort(host, Values.parseInt(text.substring(colon + 1), 0, 65535));
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
