package batcycle.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key: its YAML path, default, and help. The flag ({@code --pool-max-connections}) and the
 * environment variable ({@code BATCYCLE_POOL_MAX_CONNECTIONS}) are derived from the path, so the three sources
 * can never disagree on a name. The README's configuration table lists exactly these keys (checked by a test).
 */
public enum Key {
  LISTEN("listen", "0.0.0.0:8000", "HOST:PORT", "Address the proxy listens on."),
  UPSTREAM("upstream", "http://127.0.0.1:8080", "URL", "The app: an http:// URL with host and port, no path."),
  ADMIN("admin", "0.0.0.0:9901", "HOST:PORT", "Address of the admin server (/healthz)."),
  UPSTREAM_PROTOCOL("upstreamProtocol", "http1", "http1|h2c",
      "Protocol to the app: HTTP/1.1, or HTTP/2 over cleartext with prior knowledge (needed for gRPC)."),
  EVENT_LOOPS("eventLoops", "", "N", "Event-loop threads serving the proxy (default: number of cores)."),
  TRANSPORT("transport", "auto", "auto|io_uring|epoll|nio",
      "Network I/O: auto takes epoll, else io_uring, else NIO; name io_uring to prefer it (see README)."),
  POOL_MAX_CONNECTIONS("pool.maxConnections", "64", "N",
      "Keep-alive connections to the app, in total (HTTP/2: connections, each multiplexing streams)."),
  POOL_IDLE_TIMEOUT("pool.idleTimeout", "4s", "DURATION",
      "Idle pooled connections are closed after this; keep it below the app's keep-alive timeout."),
  TIMEOUTS_CONNECT("timeouts.connect", "2s", "DURATION", "Time to open a connection to the app (then 504)."),
  TIMEOUTS_RESPONSE("timeouts.response", "60s", "DURATION",
      "Per-try timeout: from the start of one attempt (pool wait and connect included) to the app's response "
          + "headers (then 504, or a retry when allowed)."),
  TIMEOUTS_REQUEST("timeouts.request", "60s", "DURATION",
      "Whole-request deadline for the app's response headers, across all attempts and back-offs (0 = none)."),
  TIMEOUTS_UPSTREAM_IDLE("timeouts.upstreamIdle", "60s", "DURATION",
      "Longest pause in an exchange with the app while bodies stream (0 = none); then the exchange is aborted."),
  TIMEOUTS_CLIENT_IDLE("timeouts.clientIdle", "60s", "DURATION",
      "A client connection with no traffic for this long is closed (0 = never)."),
  TIMEOUTS_REQUEST_HEADER("timeouts.requestHeader", "10s", "DURATION",
      "An HTTP/1 request head must arrive whole within this, counted from its first byte; else 408 and close "
          + "(0 = no limit beyond timeouts.clientIdle)."),
  LIMITS_MAX_CONNECTIONS("limits.maxConnections", "10000", "N",
      "Open client connections at once, all event loops together; more are closed at once (0 = no cap)."),
  LIMITS_MAX_HEADER_SIZE("limits.maxHeaderSize", "64KiB", "SIZE",
      "Largest request header section; larger gets 431."),
  LIMITS_MAX_REQUEST_LINE("limits.maxRequestLine", "8KiB", "SIZE", "Longest request line; longer gets 414."),
  LIMITS_MAX_CONCURRENT("limits.maxConcurrent", "1024", "N",
      "Requests to the app at once (the permit is held until the response ends); beyond it and the queue, 503."),
  LIMITS_QUEUE_SIZE("limits.queueSize", "64", "N",
      "Requests that may wait for a permit when the limit is reached (0 = shed at once)."),
  LIMITS_QUEUE_TIMEOUT("limits.queueTimeout", "1s", "DURATION",
      "Longest wait in that queue (never past the request deadline); then 503."),
  LIMITS_ADAPTIVE("limits.adaptive", "false", "BOOL",
      "Adapt the concurrency limit to the app's latency (gradient, like Netflix concurrency-limits), between "
          + "limits.adaptiveMinLimit and limits.maxConcurrent."),
  LIMITS_ADAPTIVE_MIN_LIMIT("limits.adaptiveMinLimit", "16", "N", "Lowest limit the adaptive limit goes down to."),
  RATE_LIMIT_LIMIT("rateLimit.limit", "0", "N",
      "Requests accepted per rateLimit.period, all clients together (0 = no rate limit); beyond it, 429."),
  RATE_LIMIT_PERIOD("rateLimit.period", "1s", "DURATION", "The period rateLimit.limit applies to."),
  RETRY_MAX_ATTEMPTS("retry.maxAttempts", "3", "N",
      "Attempts per request in total, the first included (1 = no retries)."),
  RETRY_BACKOFF_BASE("retry.backoffBase", "25ms", "DURATION",
      "Back-off before the first retry; doubles for each further retry, with jitter."),
  RETRY_BACKOFF_MAX("retry.backoffMax", "250ms", "DURATION", "Longest back-off between two attempts."),
  RETRY_STATUSES("retry.statuses", "502,503,504", "LIST",
      "Response statuses from the app retried for idempotent requests (400-599; empty = none)."),
  RETRY_MAX_REPLAY_BYTES("retry.maxReplayBytes", "64KiB", "SIZE",
      "Largest request body kept for a replay; larger bodies stream and are not retried (0 = never replay a body)."),
  RETRY_MAX_RETRY_AFTER("retry.maxRetryAfter", "1s", "DURATION",
      "A Retry-After up to this is waited before retrying; a longer one goes to the client unchanged."),
  RETRY_BUDGET_RATIO("retry.budgetRatio", "0.2", "RATIO",
      "Retries may add at most this share of the request rate (0.2 = 20 %), plus retry.budgetMinPerSecond."),
  RETRY_BUDGET_MIN_PER_SECOND("retry.budgetMinPerSecond", "10", "N",
      "Retries per second always allowed, so low traffic can still retry."),
  RETRY_BUDGET_WINDOW("retry.budgetWindow", "10s", "DURATION",
      "Sliding window (whole seconds) over which requests and retries are counted for the budget."),
  BREAKER_ENABLED("breaker.enabled", "true", "BOOL",
      "Circuit breaker on the app: fail fast with 503 while the app fails most requests."),
  BREAKER_FAILURE_RATE("breaker.failureRate", "50", "PERCENT",
      "Failure rate, in percent of the attempts in the window, that opens the circuit."),
  BREAKER_MINIMUM_CALLS("breaker.minimumCalls", "100", "N",
      "Attempts in the window before the failure rate counts at all."),
  BREAKER_WINDOW("breaker.window", "30s", "DURATION", "Sliding window (whole seconds) the failure rate is taken over."),
  BREAKER_OPEN_DURATION("breaker.openDuration", "10s", "DURATION",
      "How long an open circuit fails fast before it lets probes through (half-open)."),
  BREAKER_HALF_OPEN_CALLS("breaker.halfOpenCalls", "10", "N",
      "Probe attempts let through when half-open; their failure rate decides between closed and open."),
  BREAKER_STATUSES("breaker.statuses", "502,503,504", "LIST",
      "Response statuses counted as failures (besides connect failures, timeouts and resets; 400-599)."),
  HEADERS_PRESERVE_HOST("headers.preserveHost", "true", "BOOL",
      "Send the client's Host to the app (false: the upstream's host:port)."),
  HEADERS_TRUST_FORWARDED("headers.trustForwarded", "true", "BOOL",
      "Keep X-Forwarded-Proto/-Host/-Port set by a proxy in front (an ingress); false overwrites them."),
  HEADERS_FORWARDED("headers.forwarded", "false", "BOOL", "Also append an RFC 7239 Forwarded header."),
  HEADERS_VIA("headers.via", "false", "BOOL", "Also append a Via header in both directions."),
  METRICS_LATENCY_BUCKETS("metrics.latencyBuckets",
      "1ms,2ms,5ms,10ms,25ms,50ms,100ms,250ms,500ms,1s,2500ms,5s,10s,30s", "LIST",
      "Upper bounds of the latency histogram buckets (durations, ascending)."),
  METRICS_ROUTES("metrics.routes", "", "LIST",
      "Path patterns that become the route label (* = one segment, trailing ** = the rest; at most 50); "
          + "other paths are labelled other. Empty: no route label."),
  ACCESS_LOG_ENABLED("accessLog.enabled", "true", "BOOL", "Write one request-log line per request on stdout."),
  ACCESS_LOG_FORMAT("accessLog.format", "json", "json|text", "Request-log line format."),
  ACCESS_LOG_INCLUDE_QUERY("accessLog.includeQuery", "false", "BOOL",
      "Keep the query string in the logged path (it may carry tokens, so it is stripped by default)."),
  ACCESS_LOG_SAMPLE_SUCCESS("accessLog.sampleSuccess", "1.0", "RATIO",
      "Share of successful (status below 400) requests logged, 0.0-1.0; failures are always logged."),
  ACCESS_LOG_EXCLUDE_PATHS("accessLog.excludePaths", "", "LIST",
      "Paths never logged, e.g. the app's /healthz (exact, or a prefix ending in *)."),
  ACCESS_LOG_HEADERS("accessLog.headers", "", "LIST", "Request headers to add to each line (secret ones redacted)."),
  ACCESS_LOG_SECRET_HEADERS("accessLog.secretHeaders", "", "LIST",
      "More headers to treat as secret, besides Authorization, Cookie, Set-Cookie and the like."),
  ACCESS_LOG_QUEUE_SIZE("accessLog.queueSize", "8192", "N",
      "Lines waiting to be written; beyond this, lines are dropped and counted, never blocking traffic."),
  TRACING_START_TRACES("tracing.startTraces", "false", "BOOL",
      "Start a W3C trace (send a traceparent to the app) when the client sent none."),
  LOG_FORMAT("log.format", "text", "text|json", "Format of batcycle's own operational log lines."),
  READINESS_PATH("readiness.path", "", "PATH",
      "Empty: /readyz checks the app by opening a TCP connection. A path such as /health: an HTTP GET that "
          + "must answer below 500."),
  READINESS_TIMEOUT("readiness.timeout", "1s", "DURATION", "How long the readiness check waits for the app."),
  READINESS_CHECK_APP("readiness.checkApp", "true", "BOOL",
      "Whether /readyz requires the app to answer (false: only batcycle's own state counts)."),
  DRAIN_DELAY("drain.delay", "5s", "DURATION",
      "On SIGTERM, keep serving this long with /readyz at 503, so endpoints are updated before connections close."),
  DRAIN_TIMEOUT("drain.timeout", "20s", "DURATION",
      "Then wait at most this long for in-flight requests before exiting."),
  TERMINATION_GRACE_PERIOD("terminationGracePeriod", "", "DURATION",
      "The pod's terminationGracePeriodSeconds, set by the manifest; start-up warns if the drain cannot fit in it."),
  APP_KEEP_ALIVE_TIMEOUT("appKeepAliveTimeout", "", "DURATION",
      "The app's keep-alive timeout, if known (Node: 5s); start-up warns unless pool.idleTimeout is below it."),
  HOST_IP("hostIp", "", "IP",
      "The node's IP (downward API status.hostIP): the kubelet's GET /prestop from the app's preStop comes from it."),
  STARTUP_HOLD_TIMEOUT("startup.holdTimeout", "10s", "DURATION",
      "Until the app first accepts a connection, requests wait for it up to this long instead of failing (0 = off)."),
  STARTUP_MAX_HELD("startup.maxHeld", "1000", "N", "At most this many requests wait for the app at start-up."),
  DEMO("demo", "false", "BOOL", "Start the embedded demo app on 127.0.0.1:8080 and proxy it.");

  private final String path;
  private final String defaultValue;
  private final String valueHint;
  private final String description;

  Key(String path, String defaultValue, String valueHint, String description) {
    this.path = path;
    this.defaultValue = defaultValue;
    this.valueHint = valueHint;
    this.description = description;
  }

  /** The dotted YAML path, e.g. {@code pool.maxConnections}. */
  public String path() {
    return path;
  }

  /** The default as text; empty means "computed at start-up" (see the description). */
  public String defaultValue() {
    return defaultValue;
  }

  /** The default as documented: the value, or what an empty default means. */
  public String defaultDisplay() {
    if (!defaultValue.isEmpty()) {
      return "`" + defaultValue + "`";
    }
    return this == EVENT_LOOPS ? "number of cores" : "(none)";
  }

  public String valueHint() {
    return valueHint;
  }

  public String description() {
    return description;
  }

  /** {@code pool.maxConnections} becomes {@code --pool-max-connections}. */
  public String flag() {
    return "--" + words().replace('_', '-').toLowerCase(Locale.ROOT);
  }

  /** {@code pool.maxConnections} becomes {@code BATCYCLE_POOL_MAX_CONNECTIONS}. */
  public String envName() {
    return "BATCYCLE_" + words().toUpperCase(Locale.ROOT);
  }

  /** A comma-separated value; in YAML also a list. */
  public boolean isList() {
    return valueHint.equals("LIST");
  }

  public boolean isBoolean() {
    return valueHint.equals("BOOL");
  }

  private String words() {
    return path.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2");
  }

  public static Optional<Key> byPath(String path) {
    return Arrays.stream(values()).filter(k -> k.path.equals(path)).findFirst();
  }
}
