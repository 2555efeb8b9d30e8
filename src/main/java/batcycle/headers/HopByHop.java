package batcycle.headers;

import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1), applied to headers copied in both directions: the fixed set,
 * plus every header the sender named in {@code Connection}. One exception: {@code TE: trailers} is end-to-end
 * in meaning for gRPC (RFC 9113 §8.2.2 allows exactly that value on HTTP/2), so it is kept and nothing else of TE.
 */
public final class HopByHop {
  private static final AsciiString[] ALWAYS = {HeaderNames.CONNECTION, HeaderNames.KEEP_ALIVE,
      HeaderNames.PROXY_CONNECTION, HeaderNames.TRAILER, HeaderNames.TRANSFER_ENCODING, HeaderNames.UPGRADE,
      HeaderNames.HTTP2_SETTINGS, HeaderNames.TE};
  private static final AsciiString[] CONNECTION_HEADERS = {HeaderNames.CONNECTION, HeaderNames.PROXY_CONNECTION};

  private HopByHop() {}

  /** Strips in place; {@code keepTeTrailers} is true on requests. */
  public static void strip(HttpHeaders headers, boolean keepTeTrailers) {
    // Most messages name nothing in Connection: skip the token parsing (it runs twice per request).
    List<String> named = headers.contains(HeaderNames.CONNECTION) || headers.contains(HeaderNames.PROXY_CONNECTION)
        ? connectionTokens(headers) : List.of();
    boolean teTrailers = keepTeTrailers && headers.contains(HeaderNames.TE) && asksForTrailers(headers);
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
        if (token.trim().toLowerCase(Locale.ROOT).startsWith("trailers")) {
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
