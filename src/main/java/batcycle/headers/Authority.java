package batcycle.headers;

/** Reads the parts of an already validated {@code host[:port]} authority (RFC 3986 §3.2), IPv6 literals included. */
public final class Authority {
  private Authority() {}

  /** The port, or -1 if the authority names none. */
  public static int port(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.indexOf(']', colon) >= 0) {
      return -1; // no colon, or only the colons inside an IPv6 literal
    }
    int port = 0;
    for (int i = colon + 1; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9' || port > 65535) {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return colon + 1 == authority.length() || port > 65535 ? -1 : port;
  }
}
