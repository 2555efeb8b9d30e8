package batcycle.proxy;

import batcycle.headers.FieldSyntax;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Protocol;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.util.List;

/**
 * Checks what Netty's parser leaves to us (RFC 9112 §3.2: exactly one valid Host on HTTP/1.1; a request target
 * in origin, absolute or asterisk form; field names that are tokens) and yields the origin-form target and the Host
 * to send the app.
 */
final class RequestTarget {
  /** The result: either {@code problem} is set (answer 400), or {@code uri} and {@code host}. */
  record Checked(String uri, String host, String problem, int status) {
    static Checked bad(String problem) {
      return new Checked(null, null, problem, 400);
    }
  }

  private RequestTarget() {}

  static Checked check(HttpMethod method, Protocol protocol, HttpHeaders headers, String uri) {
    if (HttpMethod.CONNECT.equals(method)) {
      return new Checked(null, null, "CONNECT is not supported: batcycle is a reverse proxy, not a tunnel", 501);
    }
    // HTTP/2 names are checked by the HPACK decoder, and its header map also holds the pseudo-headers.
    if (protocol != Protocol.HTTP_2 && FieldSyntax.firstInvalidName(headers) != null) {
      return Checked.bad("invalid header field name");
    }
    List<String> hosts = headers.getAll(HeaderNames.HOST);
    if (hosts.size() > 1) {
      return Checked.bad("more than one Host header");
    }
    // HTTP/2: the stream codec turned :authority into Host.
    String host = hosts.isEmpty() ? null : hosts.get(0).trim();
    if (host == null && protocol == Protocol.HTTP_1_1) {
      return Checked.bad("missing Host header");
    }
    if (host != null && !validAuthority(host)) {
      return Checked.bad("invalid Host header");
    }
    if (uri.isEmpty() || !visible(uri)) {
      return Checked.bad("invalid request target");
    }
    if (uri.charAt(0) == '/') {
      return new Checked(uri, host, null, 0);
    }
    if (uri.equals("*")) {
      return HttpMethod.OPTIONS.equals(method)
          ? new Checked(uri, host, null, 0) : Checked.bad("'*' is only valid with OPTIONS");
    }
    return absoluteForm(uri);
  }

  /** RFC 9112 §3.2.2: the target's authority replaces Host, and the app gets the origin form. */
  private static Checked absoluteForm(String uri) {
    try {
      URI parsed = new URI(uri);
      String scheme = parsed.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || parsed.getRawAuthority() == null || !validAuthority(parsed.getRawAuthority())) {
        return Checked.bad("invalid request target");
      }
      String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
      String query = parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery();
      return new Checked(path + query, parsed.getRawAuthority(), null, 0);
    } catch (java.net.URISyntaxException e) {
      return Checked.bad("invalid request target");
    }
  }

  /**
   * host[:port] with a reg-name, IPv4 or bracketed IPv6 host and no userinfo (RFC 3986 §3.2). Percent-encoding is
   * refused although a reg-name may carry it: no DNS name has one, and an app's own parser may well choke on it
   * (Vert.x 5.0.7's HostAndPort.parseAuthority threw StringIndexOutOfBoundsException on it, found by fuzzing).
   */
  static boolean validAuthority(String authority) {
    if (authority.isEmpty() || authority.length() > 255) {
      return false;
    }
    String host = authority;
    int portStart = -1;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = authority.charAt(i);
        // ASCII only: Character.digit also takes other scripts' digits (found by fuzzing).
        boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!(hex || c == ':' || c == '.')) {
          return false;
        }
      }
      host = "";
      portStart = close + 1 < authority.length() ? close + 1 : -1;
      if (portStart >= 0 && authority.charAt(portStart) != ':') {
        return false;
      }
    } else {
      int colon = authority.indexOf(':');
      if (colon >= 0) {
        host = authority.substring(0, colon);
        portStart = colon;
      }
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~';
      if (!ok) {
        return false;
      }
    }
    if (portStart >= 0) {
      String port = authority.substring(portStart + 1);
      if (port.isEmpty() || port.length() > 5 || !allDigits(port)
          || Integer.parseInt(port) > 65535) {
        return false;
      }
    }
    return true;
  }

  /** Only visible US-ASCII: no spaces, controls or raw non-ASCII in the target. */
  private static boolean visible(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
