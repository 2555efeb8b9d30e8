package batcycle.retry;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/** Which failures are worth another attempt, and which requests are safe to send twice. */
final class Retryability {
  static final Set<String> REASONS = Set.of(FailureKind.Retry.CONNECT_FAILURE, FailureKind.Retry.RESET,
      FailureKind.Retry.PROTOCOL_ERROR, FailureKind.Retry.TIMEOUT, FailureKind.Retry.STATUS);

  /** RFC 9110 §9.2.2: repeating these has the same effect on the server as sending them once. */
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

  private Retryability() {}

  /** The retry reason for a failed attempt (see {@link FailureKind#retryReason}), or null if it is not retryable. */
  static String reasonFor(Throwable failure) {
    return failure instanceof ProxyFailure known ? known.kind().retryReason() : null;
  }

  /** An idempotent method, or a client that vouches for repeating this request with an Idempotency-Key. */
  static boolean safeToRepeat(Exchange exchange) {
    return IDEMPOTENT.contains(exchange.method()) || exchange.headers().contains(HeaderNames.IDEMPOTENCY_KEY);
  }
}
