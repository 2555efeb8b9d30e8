package batcycle.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

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

  /**
   * Whether this address and {@code other} would listen on the same port of some interface, so that one server
   * would take the other's connections. Port 0 never overlaps: the system picks a free port for each. A wildcard
   * covers every address of its family, and {@code ::} covers IPv4 as well (a dual-stack socket, Linux's default); a
   * host name may be any local address, so it overlaps a wildcard, and the same name, but no other literal.
   */
  public boolean overlaps(HostPort other) {
    if (port == 0 || port != other.port) {
      return false;
    }
    Optional<InetAddress> mine = IpLiteral.parse(host);
    Optional<InetAddress> theirs = IpLiteral.parse(other.host);
    if (mine.isEmpty() && theirs.isEmpty()) {
      return host.equalsIgnoreCase(other.host);
    }
    if (mine.isEmpty() || theirs.isEmpty()) {
      return mine.or(() -> theirs).orElseThrow().isAnyLocalAddress();
    }
    InetAddress a = mine.get();
    InetAddress b = theirs.get();
    return a.equals(b) || covers(a, b) || covers(b, a);
  }

  private static boolean covers(InetAddress wildcard, InetAddress other) {
    return wildcard.isAnyLocalAddress() && (wildcard instanceof Inet6Address || other instanceof Inet4Address);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
