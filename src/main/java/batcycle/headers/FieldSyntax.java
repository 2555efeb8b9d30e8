package batcycle.headers;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;

/**
 * Field-name syntax (RFC 9110 §5.1: a name is a non-empty token) checked on what the HTTP/1.1 parser let through.
 * Netty 4.2.18 rejects most bad names itself, but accepts an empty one ({@code ": x"}), which batcycle would
 * otherwise forward as a line the app may read differently: a request whose framing or fields two parsers can
 * disagree on must be answered 400, never forwarded (RFC 9112 §5).
 */
public final class FieldSyntax {
  private FieldSyntax() {}

  /** The first field name that is not a token, or null if all are valid. */
  public static String firstInvalidName(HttpHeaders headers) {
    for (Map.Entry<String, String> field : headers) {
      if (!isToken(field.getKey())) {
        return field.getKey();
      }
    }
    return null;
  }

  /** RFC 9110 §5.6.2: token = 1*tchar. */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isTchar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
