package batcycle.errors;

/**
 * Every way an exchange can fail, and everything that follows from it, in one table: the status and
 * {@code x-batcycle-error} code the client gets, the request-log flag, the retry reason (null: never retried), whether
 * the circuit breaker counts it against the app, the {@code outcome} of {@code batcycle_upstream_attempts}, and whether
 * batcycle refused the request itself. A new kind is one line here; every switch over kinds is checked by the compiler.
 */
public enum FailureKind {
  // The client's request: answered at once, never forwarded.
  BAD_REQUEST(400, "bad_request", ResponseFlag.BAD_REQUEST, null, false, null, true),
  REQUEST_TIMEOUT(408, "request_timeout", ResponseFlag.CLIENT_TIMEOUT, null, false, null, true),
  URI_TOO_LONG(414, "uri_too_long", ResponseFlag.BAD_REQUEST, null, false, null, true),
  HEADERS_TOO_LARGE(431, "headers_too_large", ResponseFlag.BAD_REQUEST, null, false, null, true),
  NOT_IMPLEMENTED(501, "not_implemented", ResponseFlag.BAD_REQUEST, null, false, null, true),
  // batcycle's own protection: refused before the app.
  OVERLOADED(503, "overloaded", ResponseFlag.OVERLOADED, null, false, null, true),
  CIRCUIT_OPEN(503, "circuit_open", ResponseFlag.CIRCUIT_OPEN, null, false, null, true),
  RATE_LIMITED(429, "rate_limited", ResponseFlag.RATE_LIMITED, null, false, null, true),
  // Nothing reached the app: safe to retry for any method.
  CONNECT_REFUSED(502, "upstream_connect_failure", ResponseFlag.UPSTREAM_CONNECT_FAILURE, Retry.CONNECT_FAILURE,
      true, "connect_error", false),
  STALE_CONNECTION(502, "upstream_connect_failure", ResponseFlag.UPSTREAM_CONNECT_FAILURE, Retry.CONNECT_FAILURE,
      true, "connect_error", false),
  STREAM_REFUSED(502, "upstream_connect_failure", ResponseFlag.UPSTREAM_CONNECT_FAILURE, Retry.CONNECT_FAILURE,
      true, "connect_error", false),
  CONNECT_TIMEOUT(504, "upstream_connect_timeout", ResponseFlag.UPSTREAM_TIMEOUT, Retry.CONNECT_FAILURE, true,
      "timeout", false),
  /** A remote's certificate failed verification (untrusted, expired, wrong name): never accepted, never silent. */
  TLS_VERIFICATION(502, "upstream_tls_verification_failed", ResponseFlag.UPSTREAM_TLS_VERIFICATION,
      Retry.CONNECT_FAILURE, true, "tls_error", false),
  /** Any other failed TLS handshake with a remote (no common protocol, version or cipher; not TLS at all). */
  TLS_HANDSHAKE(502, "upstream_tls_failure", ResponseFlag.UPSTREAM_CONNECT_FAILURE, Retry.CONNECT_FAILURE, true,
      "tls_error", false),
  // The request may have reached the app: retried only when it is safe to repeat.
  RESET(502, "upstream_reset", ResponseFlag.UPSTREAM_RESET, Retry.RESET, true, "reset", false),
  PROTOCOL_ERROR(502, "upstream_protocol_error", ResponseFlag.UPSTREAM_PROTOCOL_ERROR, Retry.PROTOCOL_ERROR, true,
      "protocol_error", false),
  RESPONSE_TIMEOUT(504, "upstream_response_timeout", ResponseFlag.UPSTREAM_TIMEOUT, Retry.TIMEOUT, true, "timeout",
      false),
  /** The whole-request deadline passed: no time is left for another attempt. */
  DEADLINE(504, "upstream_response_timeout", ResponseFlag.UPSTREAM_TIMEOUT, null, true, "timeout", false),
  /** The app went quiet mid-exchange, after its response head: too late to retry. */
  IDLE_TIMEOUT(504, "upstream_idle_timeout", ResponseFlag.UPSTREAM_TIMEOUT, null, true, "timeout", false),
  // The client went away: nobody to answer, and it says nothing about the app.
  CLIENT_ABORT(0, "client_abort", ResponseFlag.CLIENT_DISCONNECT, null, false, "reset", false);

  /** Retry reasons: the {@code reason} tag of {@code batcycle_retries_total}. */
  public static final class Retry {
    public static final String CONNECT_FAILURE = "connect_failure";
    public static final String RESET = "reset";
    public static final String PROTOCOL_ERROR = "protocol_error";
    public static final String TIMEOUT = "timeout";
    /** Not a failure: a configured response status. */
    public static final String STATUS = "status";

    private Retry() {}
  }

  private final int status;
  private final String code;
  private final ResponseFlag flag;
  private final String retryReason;
  private final boolean countsAgainstApp;
  private final String attemptOutcome;
  private final boolean rejection;

  FailureKind(int status, String code, ResponseFlag flag, String retryReason, boolean countsAgainstApp,
              String attemptOutcome, boolean rejection) {
    this.status = status;
    this.code = code;
    this.flag = flag;
    this.retryReason = retryReason;
    this.countsAgainstApp = countsAgainstApp;
    this.attemptOutcome = attemptOutcome;
    this.rejection = rejection;
  }

  /** The status sent to the client (0: nobody is left to answer). */
  public int status() {
    return status;
  }

  /** Stable low-cardinality id, sent as {@code x-batcycle-error} and used as a metric label. */
  public String code() {
    return code;
  }

  /** The request-log flag this failure sets. */
  public ResponseFlag flag() {
    return flag;
  }

  /** Why a retry would be made ({@link Retry}), or null if this failure is never retried. */
  public String retryReason() {
    return retryReason;
  }

  /** True if nothing of the request reached the app, so repeating it is safe whatever the method. */
  public boolean neverReachedApp() {
    return Retry.CONNECT_FAILURE.equals(retryReason);
  }

  /** True if the circuit breaker records this as the app being unwell. */
  public boolean countsAgainstApp() {
    return countsAgainstApp;
  }

  /** The {@code outcome} tag of {@code batcycle_upstream_attempts} for an attempt that failed so; null if none ran. */
  public String attemptOutcome() {
    return attemptOutcome;
  }

  /** True if batcycle refused the request itself (bad input, overload, rate limit) rather than the app failing. */
  public boolean isRejection() {
    return rejection;
  }
}
