package batcycle.errors;

/**
 * An expected proxy outcome that becomes an HTTP response: a {@link FailureKind} (which decides everything about
 * how it is answered, logged, counted and retried) with a message carrying the values. Created where the failure
 * happens; cheap, so no stack trace.
 */
public final class ProxyFailure extends RuntimeException {
  private final FailureKind kind;
  private final long retryAfterSeconds;

  private ProxyFailure(FailureKind kind, String message, Throwable cause, long retryAfterSeconds) {
    super(message, cause, false, false);
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ProxyFailure of(FailureKind kind, String message) {
    return new ProxyFailure(kind, message, null, -1);
  }

  public static ProxyFailure of(FailureKind kind, String message, Throwable cause) {
    return new ProxyFailure(kind, message, cause, -1);
  }

  /** A refusal that tells the client when trying again makes sense ({@code Retry-After}, at least 1 s). */
  public static ProxyFailure retryLater(FailureKind kind, String message, long retryAfterSeconds) {
    return new ProxyFailure(kind, message, null, Math.max(1, retryAfterSeconds));
  }

  /** A rejected request: 400, 408, 414, 431 or 501 by status. */
  public static ProxyFailure badRequest(int status, String message) {
    FailureKind kind = switch (status) {
      case 408 -> FailureKind.REQUEST_TIMEOUT;
      case 414 -> FailureKind.URI_TOO_LONG;
      case 431 -> FailureKind.HEADERS_TOO_LARGE;
      case 501 -> FailureKind.NOT_IMPLEMENTED;
      default -> FailureKind.BAD_REQUEST;
    };
    return of(kind, message);
  }

  public FailureKind kind() {
    return kind;
  }

  public int status() {
    return kind.status();
  }

  public String code() {
    return kind.code();
  }

  public boolean isRejection() {
    return kind.isRejection();
  }

  /** Seconds the client should wait before trying again, sent as {@code Retry-After}; negative for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
