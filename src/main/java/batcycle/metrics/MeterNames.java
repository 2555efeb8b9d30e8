package batcycle.metrics;

/**
 * Every meter and tag name batcycle publishes. Micrometer names are dot-separated; the Prometheus registry turns
 * {@code batcycle.requests} (a timer) into {@code batcycle_requests_seconds_bucket/_count/_sum}. Base units only.
 */
public final class MeterNames {
  /** Timer: requests as the client saw them; tags method, status, outcome, route. */
  public static final String REQUESTS = "batcycle.requests";
  /** Counter (bytes): request body bytes received from clients. */
  public static final String REQUEST_BYTES = "batcycle.request.body";
  /** Counter (bytes): response body bytes sent to clients. */
  public static final String RESPONSE_BYTES = "batcycle.response.body";
  /** Gauge: requests in flight. */
  public static final String REQUESTS_ACTIVE = "batcycle.requests.active";
  /** Gauge: open client connections. */
  public static final String CONNECTIONS_ACTIVE = "batcycle.connections.active";
  /** Counter: client connections batcycle closed to protect itself; tag reason (max_connections, request_header_timeout). */
  public static final String CONNECTIONS_REJECTED = "batcycle.connections.rejected";
  /** Gauge: the configured cap on open client connections (0 = none). */
  public static final String CONNECTIONS_MAX = "batcycle.connections.max";
  /** Counter: client connections that ended in a protocol error or reset; tag reason. */
  public static final String CLIENT_ERRORS = "batcycle.client.errors";
  /**
   * Counter: requests and responses cut because the client sent or read too slowly; tag reason
   * (request_body_idle, request_body_rate, response_send).
   */
  public static final String CLIENT_TIMEOUTS = "batcycle.client.timeouts";
  /** Counter: requests batcycle answered itself instead of forwarding; tag reason. */
  public static final String REJECTED = "batcycle.rejected";
  /** Timer: attempts sent to the app, by outcome. */
  public static final String UPSTREAM_ATTEMPTS = "batcycle.upstream.attempts";
  /** Gauge: attempts waiting for or holding a pooled connection to the app. */
  public static final String UPSTREAM_ACTIVE = "batcycle.upstream.requests.active";
  /** Gauge: open connections to the app. */
  public static final String UPSTREAM_CONNECTIONS = "batcycle.upstream.connections.active";
  /** Gauge: the configured pool size. */
  public static final String UPSTREAM_POOL_MAX = "batcycle.upstream.connections.max";
  /** Gauge: addresses of the upstream (the app, or a remote's addresses); tag state (healthy, ejected). */
  public static final String UPSTREAM_ENDPOINTS = "batcycle.upstream.endpoints";
  /** Counter: addresses ejected from balancing after failures in a row (outlier detection). */
  public static final String UPSTREAM_EJECTIONS = "batcycle.upstream.ejections";
  /** Timer: latency batcycle added, total minus time spent waiting on the app. */
  public static final String OVERHEAD = "batcycle.overhead";
  /** Counter: request-log lines dropped because the writer fell behind. */
  public static final String ACCESS_LOG_DROPPED = "batcycle.accesslog.dropped";
  /** Counter: retries sent to the app; tag reason (connect_failure, reset, protocol_error, timeout, status). */
  public static final String RETRIES = "batcycle.retries";
  /**
   * Counter: retries wanted but not made; tag reason (not_idempotent, not_replayable, budget, circuit_open,
   * retry_after, deadline, attempts_exhausted, websocket).
   */
  public static final String RETRY_SKIPPED = "batcycle.retry.skipped";
  /** Counter: failures passed to the client because the retry budget was spent. */
  public static final String RETRY_BUDGET_EXHAUSTED = "batcycle.retry.budget.exhausted";
  /** Gauge: retries the budget would allow right now. */
  public static final String RETRY_BUDGET_AVAILABLE = "batcycle.retry.budget.available";
  /** Gauge: 1 for the circuit breaker's current state, 0 for the others; tag state (closed, open, half_open). */
  public static final String CIRCUIT_STATE = "batcycle.circuit.state";
  /** Gauge: percent of the attempts in the breaker's window that failed; -1 until breaker.minimumCalls. */
  public static final String CIRCUIT_FAILURE_RATE = "batcycle.circuit.failure.rate";
  /** Gauge: attempts in the breaker's window; tag outcome (success, failure). */
  public static final String CIRCUIT_CALLS = "batcycle.circuit.calls";
  /** Gauge: the current concurrency limit on requests to the app (moves when the adaptive limit is on). */
  public static final String CONCURRENCY_LIMIT = "batcycle.concurrency.limit";
  /** Gauge: requests holding a concurrency permit (until their response ends). */
  public static final String CONCURRENCY_ACTIVE = "batcycle.concurrency.active";
  /** Gauge: requests waiting in the queue for a concurrency permit. */
  public static final String CONCURRENCY_QUEUED = "batcycle.concurrency.queued";
  /** Gauge (seconds since the epoch): when a certificate of the proxy port expires; tag certificate (serving, client_ca). */
  public static final String TLS_CERTIFICATE_EXPIRY = "batcycle.tls.certificate.expiry.timestamp";
  /** Counter: changes of the TLS files; tag result (applied, rejected: the previous certificate stays). */
  public static final String TLS_CERTIFICATE_RELOADS = "batcycle.tls.certificate.reloads";
  /** Counter: TLS handshakes completed on the proxy port; tag protocol (TLSv1.2, TLSv1.3). */
  public static final String TLS_HANDSHAKES = "batcycle.tls.handshakes";
  /** Counter: TLS handshakes that failed; tag reason (see batcycle.tls.HandshakeFailure). */
  public static final String TLS_HANDSHAKE_FAILURES = "batcycle.tls.handshake.failures";
  /** Counter: configuration reloads; tag result (applied, unchanged, rejected). */
  public static final String CONFIG_RELOADS = "batcycle.config.reloads";
  /** Gauge (seconds since the epoch): the last reload that was not rejected, or the start. */
  public static final String CONFIG_LAST_RELOAD_SUCCESS = "batcycle.config.last.reload.success.timestamp";
  /** Gauge: 1 when the last reload was applied or changed nothing, 0 when it was rejected. */
  public static final String CONFIG_LAST_RELOAD_SUCCESSFUL = "batcycle.config.last.reload.successful";
  /** Gauge: a hash of the settings in force (48 bits, exact in a sample); differs between pods of one rollout. */
  public static final String CONFIG_HASH = "batcycle.config.hash";
  /** Gauge: settings changed in the file that wait for a restart (0 when none). */
  public static final String CONFIG_RESTART_PENDING = "batcycle.config.restart.pending";
  /** Gauge: seconds the start-up warm-up of the request path took (0 until it is over, or when it is off). */
  public static final String WARMUP_DURATION = "batcycle.warmup.duration";
  /** Gauge: synthetic requests the start-up warm-up sent through its private copy of the request path. */
  public static final String WARMUP_REQUESTS = "batcycle.warmup.requests";
  /** Gauge: always 1; the tags carry the version and Java version. */
  public static final String BUILD_INFO = "batcycle.build.info";

  public static final String TAG_METHOD = "method";
  public static final String TAG_STATUS = "status";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_ROUTE = "route";
  public static final String TAG_REASON = "reason";
  public static final String TAG_STATE = "state";
  /**
   * On every meter of a request path: {@link #DIRECTION_INBOUND} (clients to the app) or {@link #DIRECTION_OUTBOUND}
   * (the app out).
   */
  public static final String TAG_DIRECTION = "direction";
  /** On every meter of a request path: {@link #UPSTREAM_APP} inbound, the outbound entry's name outbound. */
  public static final String TAG_UPSTREAM = "upstream";
  public static final String DIRECTION_INBOUND = "inbound";
  public static final String DIRECTION_OUTBOUND = "outbound";
  /** The {@code upstream} of the inbound path. */
  public static final String UPSTREAM_APP = "app";
  public static final String TAG_CERTIFICATE = "certificate";
  public static final String TAG_RESULT = "result";
  public static final String TAG_PROTOCOL = "protocol";

  /** Values of {@link #TAG_OUTCOME} on {@link #REQUESTS}. */
  public static final String OUTCOME_SUCCESS = "success"; // the app answered below 400
  public static final String OUTCOME_CLIENT_ERROR = "client_error"; // the app answered 4xx
  public static final String OUTCOME_SERVER_ERROR = "server_error"; // the app answered 5xx
  public static final String OUTCOME_LOCAL = "local_reply"; // batcycle answered itself (rejection or failure)
  public static final String OUTCOME_ABORTED = "aborted"; // the response was cut short (either side went away)

  private MeterNames() {}
}
