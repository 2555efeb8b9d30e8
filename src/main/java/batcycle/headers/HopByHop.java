package batcycle.headers;

import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1), applied to headers copied in both directions: the fixed set,
 * plus every header the sender named in {@code Connection}. {@code TE} is hop-by-hop too, so what the client sent
 * never goes on as it came; but a request to an HTTP/2 app gets batcycle's own {@code te: trailers} when the client
 * accepted trailers, the one value RFC 9113 §8.2.2 allows there and the one gRPC servers require.
 */
public final class HopByHop {
  private static final AsciiString[] ALWAYS = {HeaderNames.CONNECTION, HeaderNames.KEEP_ALIVE,
      HeaderNames.PROXY_CONNECTION, HeaderNames.TRAILER, HeaderNames.TRANSFER_ENCODING, HeaderNames.UPGRADE,
      HeaderNames.HTTP2_SETTINGS, HeaderNames.TE};
  private static final AsciiString[] CONNECTION_HEADERS = {HeaderNames.CONNECTION, HeaderNames.PROXY_CONNECTION};

  private HopByHop() {}

  /**
   * Strips in place; {@code teTrailersOnward} is true for a request going to an HTTP/2 app, which then gets
   * {@code te: trailers} if the client's TE listed {@code trailers}.
   */
  public static void strip(HttpHeaders headers, boolean teTrailersOnward) {
    // Most messages name nothing in Connection: skip the token parsing (it runs twice per request).
    List<String> named = headers.contains(HeaderNames.CONNECTION) || headers.contains(HeaderNames.PROXY_CONNECTION)
        ? connectionTokens(headers) : List.of();
    boolean teTrailers = teTrailersOnward && headers.contains(HeaderNames.TE) && asksForTrailers(headers);
    for (AsciiString name : ALWAYS) {
      headers.remove(name);
    }
    for (String name : named) {
      headers.remove(name);
    }
    if (teTrailers) {
      headers.set(HeaderNames.TE, "trailers");
    }
  }

  /**
   * Header names listed in {@code Connection} (and the legacy {@code Proxy-Connection}), lower-case. RFC 9110
   * §7.6.1 has every listed option removed as a header name, {@code close} included; {@code keep-alive} is left out
   * only because the fixed set removes it anyway, which spares the list for most messages.
   */
  public static List<String> connectionTokens(HttpHeaders headers) {
    List<String> tokens = List.of();
    for (AsciiString header : CONNECTION_HEADERS) {
      for (String value : headers.getAll(header)) {
        int start = 0;
        while (start <= value.length()) {
          int comma = value.indexOf(',', start);
          int end = comma < 0 ? value.length() : comma;
          int from = start;
          int to = end;
          while (from < to && isSpace(value.charAt(from))) {
            from++;
          }
          while (to > from && isSpace(value.charAt(to - 1))) {
            to--;
          }
          if (from < to && !is(value, from, to, "keep-alive")) {
            if (tokens.isEmpty()) {
              tokens = new ArrayList<>(2);
            }
            tokens.add(value.substring(from, to).toLowerCase(Locale.ROOT));
          }
          start = end + 1;
        }
      }
    }
    return tokens;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean is(String value, int from, int to, String option) {
    return to - from == option.length() && value.regionMatches(true, from, option, 0, option.length());
  }

  private static boolean asksForTrailers(HttpHeaders headers) {
    for (String value : headers.getAll(HeaderNames.TE)) {
      for (String token : value.split(",")) {
        if (token.trim().equalsIgnoreCase("trailers")) { // RFC 9110 §10.1.4: the keyword takes no parameters
          return true;
        }
      }
    }
    return false;
  }

  /** True if the request asks to switch to WebSocket (the one upgrade batcycle tunnels to the app). */
  public static boolean isWebSocketUpgrade(HttpHeaders headers) {
    return headers.containsValue(HeaderNames.UPGRADE, "websocket", true)
        && connectionTokens(headers).contains(HeaderNames.UPGRADE.toString());
  }
}
