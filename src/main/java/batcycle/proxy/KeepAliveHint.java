package batcycle.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long a connection to the app may stay pooled after a response. An app may announce its own idle timeout
 * ({@code Keep-Alive: timeout=N}, as Node and Apache do): reusing the connection at the moment the app closes it
 * would lose the request, so it is kept at most {@code N - 1} s, never longer than {@code pool.idleTimeout}, and not
 * at all when that leaves less than a second. A response that does not allow keep-alive ends the connection.
 */
final class KeepAliveHint {
  private KeepAliveHint() {}

  /** Nanoseconds the connection may be kept idle after {@code response}; 0 means close it after this exchange. */
  static long keepNanos(HttpResponse response, long poolIdleNanos) {
    if (!HttpUtil.isKeepAlive(response)) {
      return 0;
    }
    String hint = response.headers().get(HttpHeaderNames.KEEP_ALIVE);
    long announced = hint == null ? -1 : timeoutSeconds(hint);
    if (announced < 0) {
      return poolIdleNanos;
    }
    long keepSeconds = announced - 1;
    return keepSeconds < 1 ? 0 : Math.min(poolIdleNanos, TimeUnit.SECONDS.toNanos(keepSeconds));
  }

  /** The {@code timeout} parameter in seconds, or -1 if absent or unreadable. */
  static long timeoutSeconds(String hint) {
    for (String part : hint.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("timeout=")) {
        String value = p.substring("timeout=".length()).trim();
        if (!value.isEmpty() && value.length() <= 9 && value.chars().allMatch(Character::isDigit)) {
          return Long.parseLong(value);
        }
        return -1;
      }
    }
    return -1;
  }
}
