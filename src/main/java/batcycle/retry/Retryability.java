package batcycle.retry;

import batcycle.errors.UpstreamProtocolError;
import batcycle.errors.UpstreamReset;
import batcycle.errors.UpstreamTimeout;
import batcycle.errors.UpstreamUnavailable;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import io.vertx.core.http.HttpMethod;
import java.util.Set;

/** Which failures are worth another attempt, and which requests are safe to send twice. */
final class Retryability {
  /** Reasons, the {@code reason} tag of {@code batcycle_retries_total}. */
  static final String CONNECT_FAILURE = "connect_failure";
  static final String RESET = "reset";
  static final String PROTOCOL_ERROR = "protocol_error";
  static final String TIMEOUT = "timeout";
  static final String STATUS = "status";
  static final Set<String> REASONS = Set.of(CONNECT_FAILURE, RESET, PROTOCOL_ERROR, TIMEOUT, STATUS);

  /** RFC 9110 §9.2.2: repeating these has the same effect on the server as sending them once. */
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

  private Retryability() {}

  /**
   * The retry reason for a failed attempt, or null if it is not retryable. {@code connect_failure} means the
   * request certainly did not reach the app (refused, connect timeout, or a pooled connection found closed
   * before the request was written: {@link UpstreamUnavailable}).
   */
  static String reasonFor(Throwable failure) {
    if (failure instanceof UpstreamUnavailable) {
      return CONNECT_FAILURE;
    }
    if (failure instanceof UpstreamTimeout timeout) {
      return timeout.phase() == UpstreamTimeout.Phase.CONNECT ? CONNECT_FAILURE : TIMEOUT;
    }
    if (failure instanceof UpstreamReset) {
      return RESET;
    }
    return failure instanceof UpstreamProtocolError ? PROTOCOL_ERROR : null;
  }

  /** An idempotent method, or a client that vouches for repeating this request with an Idempotency-Key. */
  static boolean safeToRepeat(Exchange exchange) {
    if (IDEMPOTENT.contains(exchange.method())) {
      return true;
    }
    var headers = exchange.headers();
    return headers != null ? headers.contains(HeaderNames.IDEMPOTENCY_KEY)
        : exchange.inbound().headers().contains(HeaderNames.IDEMPOTENCY_KEY);
  }
}
