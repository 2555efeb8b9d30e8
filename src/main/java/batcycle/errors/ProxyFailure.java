package batcycle.errors;

/** An expected proxy outcome that becomes an HTTP response; cheap to create, so no stack trace. */
public abstract sealed class ProxyFailure extends RuntimeException
    permits BadRequest, UpstreamUnavailable, UpstreamTimeout, UpstreamReset, UpstreamProtocolError, Overloaded,
    CircuitOpen, RateLimited {
  protected ProxyFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** The status sent to the client. */
  public abstract int status();

  /** Stable low-cardinality id such as {@code upstream_timeout}, used in logs, metrics and the error header. */
  public abstract String code();

  /** True if batcycle refused the request itself (bad input, overload, draining) rather than the app failing. */
  public boolean isRejection() {
    return false;
  }

  /** Seconds the client should wait before trying again, sent as {@code Retry-After}; negative for none. */
  public long retryAfterSeconds() {
    return -1;
  }
}
