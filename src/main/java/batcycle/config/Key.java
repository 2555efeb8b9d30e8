package batcycle.config;

import static batcycle.config.ValueType.absolutePath;
import static batcycle.config.ValueType.ascendingDurations;
import static batcycle.config.ValueType.bool;
import static batcycle.config.ValueType.choice;
import static batcycle.config.ValueType.duration;
import static batcycle.config.ValueType.filePath;
import static batcycle.config.ValueType.headerName;
import static batcycle.config.ValueType.hostName;
import static batcycle.config.ValueType.hostPort;
import static batcycle.config.ValueType.httpUrl;
import static batcycle.config.ValueType.integer;
import static batcycle.config.ValueType.integerOrComputed;
import static batcycle.config.ValueType.ipAddresses;
import static batcycle.config.ValueType.ipLiteral;
import static batcycle.config.ValueType.list;
import static batcycle.config.ValueType.optionalInteger;
import static batcycle.config.ValueType.optionalDuration;
import static batcycle.config.ValueType.outboundEntries;
import static batcycle.config.ValueType.percent;
import static batcycle.config.ValueType.positiveDuration;
import static batcycle.config.ValueType.ratio;
import static batcycle.config.ValueType.routes;
import static batcycle.config.ValueType.size;
import static batcycle.config.ValueType.statuses;
import static batcycle.config.ValueType.wholeSeconds;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every setting, declared once: its YAML path, its type (parser and allowed range, see {@link ValueType}), its
 * default and its description. Everything else is derived: the flag ({@code --pool-max-connections}) and the
 * environment variable ({@code BATCYCLE_POOL_MAX_CONNECTIONS}) from the path; parsing and validation from the type;
 * {@code --help}, {@code batcycle check}, {@code /config} and the README's table (compared by a test) from all four.
 *
 * <p>The path's section names the record that holds the value, and its last part the record component:
 * {@code pool.maxConnections} is {@link PoolConfig#maxConnections()}, bound by name (see {@link Section}); a key
 * without a section is a component of {@link BatcycleConfig} itself. Adding a setting: declare it here, in its
 * section's block, add the component of the declared Java type to that section's record (and to the record's
 * {@code Violations.of} line), then use it; the README row is printed by {@code ReadmeConfigTableTest} when missing.
 */
public enum Key {
  LISTEN("listen", hostPort(), "0.0.0.0:8000", "Address the proxy listens on."),
  UPSTREAM("upstream", httpUrl(), "http://127.0.0.1:8080", "The app: an http:// URL with host and port, no path."),
  ADMIN("admin", hostPort(), "0.0.0.0:9901",
      "Address of the admin server (/healthz, /readyz, /metrics, /config, status page); never the proxy's address."),
  CONFIG_ACCESS("configAccess", choice(ConfigAccess.class), "loopback",
      "Who may read /config on the admin port: loopback (other containers of the pod, kubectl port-forward), or "
          + "any client that reaches the port."),
  UPSTREAM_PROTOCOL("upstreamProtocol", choice(UpstreamProtocol.class, UpstreamProtocol::parse), "http1",
      "Protocol to the app: HTTP/1.1, or HTTP/2 over cleartext with prior knowledge (needed for gRPC)."),
  EVENT_LOOPS("eventLoops", integerOrComputed(1, 256, "number of cores", Key::cores), "",
      "Event-loop threads serving the proxy."),
  TRANSPORT("transport", choice(IoTransport.class, IoTransport::parse), "auto",
      "Network I/O: auto takes epoll, else io_uring, else NIO; name io_uring to prefer it (see README)."),
  TLS_CERT_FILE("tls.certFile", filePath(), "",
      "PEM certificate chain, leaf first, served on the proxy port (a kubernetes.io/tls Secret's tls.crt); empty: "
          + "plain HTTP. Its contents rotate without a restart."),
  TLS_KEY_FILE("tls.keyFile", filePath(), "",
      "PEM private key of tls.certFile, unencrypted: PKCS#8, PKCS#1 RSA or SEC1 EC (the Secret's tls.key)."),
  TLS_CLIENT_CA_FILE("tls.clientCaFile", filePath(), "",
      "PEM CA certificates a client certificate must chain to (mTLS, e.g. the Secret's ca.crt); needs tls.clientAuth."),
  TLS_CLIENT_AUTH("tls.clientAuth", choice(ClientAuth.class), "none",
      "Client certificates: none, optional (verified when sent) or required (mTLS)."),
  TLS_MIN_VERSION("tls.minVersion", choice(TlsVersion.class, TlsVersion::parse), "1.2",
      "Oldest TLS version accepted: 1.2 or 1.3 (older versions are never offered)."),
  TLS_CIPHERS("tls.ciphers", list(), "",
      "TLS 1.2 cipher suites offered, in IANA names (empty: ECDHE with AES-GCM or ChaCha20-Poly1305 only); "
          + "TLS 1.3 suites are always its three standard ones."),
  TLS_PROVIDER("tls.provider", choice(TlsProvider.class), "auto",
      "TLS implementation: auto takes OpenSSL (BoringSSL, in the jar for Linux) when it loads, else the JDK's."),
  TLS_HANDSHAKE_TIMEOUT("tls.handshakeTimeout", positiveDuration(), "10s",
      "A TLS handshake not complete within this is abandoned and the connection closed."),
  POOL_MAX_CONNECTIONS("pool.maxConnections", optionalInteger(1, 100_000, "limits.maxConcurrent"), "",
      "Connections to the app, in total (HTTP/2: connections, each multiplexing streams); by default as many as "
          + "limits.maxConcurrent, since each request in flight to an HTTP/1.1 app needs its own."),
  POOL_IDLE_TIMEOUT("pool.idleTimeout", duration(), "4s",
      "Idle pooled connections are closed after this; keep it below the app's keep-alive timeout."),
  TIMEOUTS_CONNECT("timeouts.connect", positiveDuration(), "2s", "Time to open a connection to the app (then 504)."),
  TIMEOUTS_RESPONSE("timeouts.response", positiveDuration(), "60s",
      "Per-try timeout: from the start of one attempt (pool wait and connect included) to the app's response "
          + "headers (then 504, or a retry when allowed)."),
  TIMEOUTS_REQUEST("timeouts.request", duration(), "60s",
      "Whole-request deadline for the app's response headers, across all attempts and back-offs (0 = none)."),
  TIMEOUTS_UPSTREAM_IDLE("timeouts.upstreamIdle", duration(), "60s",
      "Longest pause in an exchange with the app while bodies stream (0 = none); then the exchange is aborted."),
  TIMEOUTS_CLIENT_IDLE("timeouts.clientIdle", duration(), "60s",
      "A client connection with no traffic for this long is closed (0 = never)."),
  TIMEOUTS_REQUEST_HEADER("timeouts.requestHeader", duration(), "10s",
      "An HTTP/1 request head must arrive whole within this, counted from its first byte; else 408 and close "
          + "(0 = no limit beyond timeouts.clientIdle)."),
  TIMEOUTS_REQUEST_BODY("timeouts.requestBody", duration(), "30s",
      "Longest wait for the next piece of a request body while batcycle reads it; then 408 and close (0 = none)."),
  TIMEOUTS_RESPONSE_SEND("timeouts.responseSend", duration(), "30s",
      "A client that takes none of its response for this long while more waits for it loses the response "
          + "(HTTP/1: connection closed, HTTP/2: stream reset), and the app's connection is freed (0 = none)."),
  LIMITS_MAX_CONNECTIONS("limits.maxConnections", integer(0, 10_000_000), "10000",
      "Open client connections at once, all event loops together; more are closed at once (0 = no cap)."),
  LIMITS_MAX_HEADER_SIZE("limits.maxHeaderSize", size(1024, 1 << 20), "64KiB",
      "Largest request header section; larger gets 431."),
  LIMITS_MAX_REQUEST_LINE("limits.maxRequestLine", size(256, 1 << 20), "8KiB", "Longest request line; longer gets 414."),
  LIMITS_MAX_HEADER_COUNT("limits.maxHeaderCount", integer(1, 10_000), "100",
      "Most request header fields; more gets 431 (HTTP/1 and HTTP/2)."),
  LIMITS_MIN_REQUEST_BODY_RATE("limits.minRequestBodyRate", size(0, 1 << 30), "240",
      "Bytes a second a request body must average while batcycle reads it, after the grace period; slower "
          + "gets 408 and close (0 = no minimum)."),
  LIMITS_MIN_REQUEST_BODY_RATE_GRACE("limits.minRequestBodyRateGrace", duration(), "5s",
      "Reading time a request body gets before limits.minRequestBodyRate applies."),
  LIMITS_MAX_CONCURRENT("limits.maxConcurrent", integer(1, 1_000_000), "1024",
      "Requests to the app at once (the permit is held until the response ends); beyond it and the queue, 503."),
  LIMITS_QUEUE_SIZE("limits.queueSize", integer(0, 100_000), "64",
      "Requests that may wait for a permit when the limit is reached (0 = shed at once)."),
  LIMITS_QUEUE_TIMEOUT("limits.queueTimeout", positiveDuration(), "1s",
      "Longest wait in that queue (never past the request deadline); then 503."),
  LIMITS_ADAPTIVE("limits.adaptive", bool(), "false",
      "Adapt the concurrency limit to the app's latency (gradient, like Netflix concurrency-limits), between "
          + "limits.adaptiveMinLimit and limits.maxConcurrent."),
  LIMITS_ADAPTIVE_MIN_LIMIT("limits.adaptiveMinLimit", integer(1, 1_000_000), "16", "Lowest limit the adaptive limit goes down to."),
  RATE_LIMIT_LIMIT("rateLimit.limit", integer(0, 10_000_000), "0",
      "Requests accepted per rateLimit.period, all clients together (0 = no rate limit); beyond it, 429."),
  RATE_LIMIT_PERIOD("rateLimit.period", positiveDuration(), "1s", "The period rateLimit.limit applies to."),
  BUFFER_REQUEST_BODY("buffer.requestBody", size(0, 16 << 20), "64KiB",
      "Request body bytes read and held before the request takes a concurrency permit or a connection to the "
          + "app; a body that ends within it is sent whole, a longer one streams on (0 = stream at once)."),
  RETRY_MAX_ATTEMPTS("retry.maxAttempts", integer(1, 10), "3",
      "Attempts per request in total, the first included (1 = no retries)."),
  RETRY_BACKOFF_BASE("retry.backoffBase", duration(), "25ms",
      "Back-off before the first retry; doubles for each further retry, with jitter."),
  RETRY_BACKOFF_MAX("retry.backoffMax", duration(), "250ms", "Longest back-off between two attempts."),
  RETRY_STATUSES("retry.statuses", statuses(), "502,503,504",
      "Response statuses from the app retried for idempotent requests (empty = none)."),
  RETRY_MAX_REPLAY_BYTES("retry.maxReplayBytes", size(0, 16 << 20), "64KiB",
      "Largest request body kept for a replay; larger bodies stream and are not retried (0 = never replay a body)."),
  RETRY_MAX_RETRY_AFTER("retry.maxRetryAfter", duration(), "1s",
      "A Retry-After up to this is waited before retrying; a longer one goes to the client unchanged."),
  RETRY_BUDGET_RATIO("retry.budgetRatio", ratio(), "0.2",
      "Retries may add at most this share of the request rate (0.2 = 20 %), plus retry.budgetMinPerSecond."),
  RETRY_BUDGET_MIN_PER_SECOND("retry.budgetMinPerSecond", integer(0, 1_000_000), "10",
      "Retries per second always allowed, so low traffic can still retry."),
  RETRY_BUDGET_WINDOW("retry.budgetWindow", wholeSeconds(1, 600), "10s",
      "Sliding window over which requests and retries are counted for the budget."),
  BREAKER_ENABLED("breaker.enabled", bool(), "true",
      "Circuit breaker on the app: fail fast with 503 while the app fails most requests."),
  BREAKER_FAILURE_RATE("breaker.failureRate", percent(), "50",
      "Failure rate, in percent of the attempts in the window, that opens the circuit."),
  BREAKER_MINIMUM_CALLS("breaker.minimumCalls", integer(1, 1_000_000), "100",
      "Attempts in the window before the failure rate counts at all."),
  BREAKER_WINDOW("breaker.window", wholeSeconds(1, 3600), "30s", "Sliding window the failure rate is taken over."),
  BREAKER_OPEN_DURATION("breaker.openDuration", positiveDuration(), "10s",
      "How long an open circuit fails fast before it lets probes through (half-open)."),
  BREAKER_HALF_OPEN_CALLS("breaker.halfOpenCalls", integer(1, 1000), "10",
      "Probe attempts let through when half-open; their failure rate decides between closed and open."),
  BREAKER_STATUSES("breaker.statuses", statuses(), "502,503,504",
      "Response statuses counted as failures (besides connect failures, timeouts and resets; empty = none)."),
  HEADERS_PRESERVE_HOST("headers.preserveHost", bool(), "true",
      "Send the client's Host to the app (false: the upstream's host:port)."),
  HEADERS_TRUST_FORWARDED("headers.trustForwarded", bool(), "true",
      "Keep X-Forwarded-Proto/-Host/-Port set by a proxy in front (an ingress); false overwrites them."),
  HEADERS_FORWARDED("headers.forwarded", bool(), "false", "Also append an RFC 7239 Forwarded header."),
  HEADERS_VIA("headers.via", bool(), "false", "Also append a Via header in both directions."),
  HEADERS_CLIENT_CERT_HEADER("headers.clientCertHeader", headerName(), "",
      "Header that gives the app the subject of the client's verified TLS certificate (RFC 2253); the same header "
          + "from a client is always removed. Empty: none."),
  METRICS_LATENCY_BUCKETS("metrics.latencyBuckets", ascendingDurations(),
      "1ms,2ms,5ms,10ms,25ms,50ms,100ms,250ms,500ms,1s,2500ms,5s,10s,30s",
      "Upper bounds of the latency histogram buckets."),
  METRICS_ROUTES("metrics.routes", routes(50), "",
      "Path patterns that become the route label (* = one segment, trailing ** = the rest); "
          + "other paths are labelled other. Empty: no route label."),
  ACCESS_LOG_ENABLED("accessLog.enabled", bool(), "true", "Write one request-log line per request on stdout."),
  ACCESS_LOG_FORMAT("accessLog.format", choice(LogFormat.class, LogFormat::parse), "json", "Request-log line format."),
  ACCESS_LOG_INCLUDE_QUERY("accessLog.includeQuery", bool(), "false",
      "Keep the query string in the logged path (it may carry tokens, so it is stripped by default)."),
  ACCESS_LOG_SAMPLE_SUCCESS("accessLog.sampleSuccess", ratio(), "1.0",
      "Share of successful (status below 400) requests logged; failures are always logged."),
  ACCESS_LOG_EXCLUDE_PATHS("accessLog.excludePaths", list(), "",
      "Paths never logged, e.g. the app's /healthz (exact, or a prefix ending in *)."),
  ACCESS_LOG_HEADERS("accessLog.headers", list(), "", "Request headers to add to each line (secret ones redacted)."),
  ACCESS_LOG_SECRET_HEADERS("accessLog.secretHeaders", list(), "",
      "More headers to treat as secret, besides Authorization, Cookie, Set-Cookie and the like."),
  ACCESS_LOG_QUEUE_SIZE("accessLog.queueSize", integer(16, 1_000_000), "8192",
      "Lines waiting to be written; beyond this, lines are dropped and counted, never blocking traffic."),
  TRACING_START_TRACES("tracing.startTraces", bool(), "false",
      "Start a W3C trace (send a traceparent to the app) when the client sent none."),
  LOG_FORMAT("log.format", choice(LogFormat.class, LogFormat::parse), "text", "Format of batcycle's own operational log lines."),
  READINESS_PATH("readiness.path", absolutePath(), "",
      "Empty: /readyz checks the app by opening a TCP connection. A path such as /health: an HTTP GET that "
          + "must answer below 500."),
  READINESS_TIMEOUT("readiness.timeout", positiveDuration(), "1s", "How long the readiness check waits for the app."),
  READINESS_CHECK_APP("readiness.checkApp", bool(), "true",
      "Whether /readyz requires the app to answer (false: only batcycle's own state counts)."),
  DRAIN_DELAY("drain.delay", duration(), "5s",
      "On SIGTERM, keep serving this long with /readyz at 503, so endpoints are updated before connections close."),
  DRAIN_TIMEOUT("drain.timeout", duration(), "20s",
      "Then wait at most this long for in-flight requests before exiting."),
  TERMINATION_GRACE_PERIOD("terminationGracePeriod", optionalDuration(), "",
      "The pod's terminationGracePeriodSeconds, set by the manifest; start-up warns if the drain cannot fit in it."),
  APP_KEEP_ALIVE_TIMEOUT("appKeepAliveTimeout", optionalDuration(), "",
      "The app's keep-alive timeout, if known (Node: 5s); start-up warns unless pool.idleTimeout is below it."),
  HOST_IP("hostIp", ipLiteral(), "",
      "The node's IP (downward API status.hostIP): the kubelet's GET /prestop from the app's preStop comes from it."),
  STARTUP_HOLD_TIMEOUT("startup.holdTimeout", duration(), "10s",
      "Until the app first accepts a connection, requests wait for it up to this long instead of failing (0 = off)."),
  STARTUP_MAX_HELD("startup.maxHeld", integer(0, 1_000_000), "1000", "At most this many requests wait for the app at start-up."),
  STARTUP_WARMUP("startup.warmup", duration(), "10s",
      "Before /readyz says ready, run synthetic requests through a private copy of the proxy to a stub inside "
          + "batcycle (never the app) until the JIT has compiled the request path, for at most this long (0 = off)."),
  STARTUP_WARMUP_MIN_REQUESTS("startup.warmupMinRequests", integer(0, 10_000_000), "10000",
      "The warm-up sends at least this many requests (unless startup.warmup passes first), then ends as soon as "
          + "the JIT compilers are quiet."),
  RELOAD_WATCH_CONFIG("reload.watchConfig", bool(), "true",
      "Reload when the config file changes (a ConfigMap update); SIGHUP reloads either way."),
  RELOAD_POLL_INTERVAL("reload.pollInterval", duration(), "10s",
      "Besides watching their directories, compare the config and TLS files this often (0 = watch only)."),
  DEMO("demo", bool(), "false",
      "Start the embedded demo app on 127.0.0.1:8080 and proxy it (and, unless outbound is set, a demo remote on "
          + "127.0.0.1:8081 behind the outbound entry remote=127.0.0.1:9001)."),
  OUTBOUND("outbound", outboundEntries(), "",
      "Remote services the app calls through batcycle, each on a local listener: NAME=LISTEN=URL, comma-separated "
          + "(in YAML, a list of entries with settings of their own; see Outbound)."),
  DNS_SERVERS("dns.servers", ipAddresses(), "",
      "DNS servers that resolve outbound remotes' names (empty: those of /etc/resolv.conf, with its search list)."),
  DNS_MIN_TTL("dns.minTtl", positiveDuration(), "5s",
      "A remote's name is resolved again when its DNS TTL runs out, but never sooner than this after the last time."),
  DNS_MAX_TTL("dns.maxTtl", positiveDuration(), "60s", "A remote's name is resolved again at least this often."),
  // Each outbound entry's own settings: in YAML inside the entry, without "outbound." (tls.caFile); a flag or an
  // environment variable sets the value for every entry that does not set it itself.
  OUTBOUND_PROTOCOL("outbound.protocol", choice(OutboundProtocol.class, OutboundProtocol::parse), "auto",
      "Per outbound entry: auto (https: HTTP/2 when the remote offers it in ALPN, else HTTP/1.1; http: HTTP/1.1), "
          + "http1, or h2 (https: ALPN h2 only; http: h2c with prior knowledge)."),
  OUTBOUND_BALANCER("outbound.balancer", choice(Balancer.class, Balancer::parse), "least_request",
      "Per outbound entry: how requests are spread over the remote's addresses: the least busy, or the less busy "
          + "of two picked at random."),
  OUTBOUND_HEADERS_HOST("outbound.headers.host", hostName(true), "",
      "Per outbound entry: the Host header sent to the remote (empty: the remote URL's host, with its port unless "
          + "the scheme's default)."),
  OUTBOUND_TLS_CA_FILE("outbound.tls.caFile", filePath(), "",
      "Per outbound entry: PEM file of the CA certificates an https remote's certificate must chain to (empty: "
          + "the system's trust store)."),
  OUTBOUND_TLS_CERT_FILE("outbound.tls.certFile", filePath(), "",
      "Per outbound entry: PEM certificate chain presented when an https remote asks for a client certificate "
          + "(mTLS); needs outbound.tls.keyFile."),
  OUTBOUND_TLS_KEY_FILE("outbound.tls.keyFile", filePath(), "",
      "Per outbound entry: the PEM (PKCS#8) private key of outbound.tls.certFile."),
  OUTBOUND_TLS_SERVER_NAME("outbound.tls.serverName", hostName(false), "",
      "Per outbound entry: the name sent in SNI and verified in an https remote's certificate (empty: the URL's "
          + "host)."),
  OUTBOUND_OUTLIER_CONSECUTIVE_FAILURES("outbound.outlier.consecutiveFailures", integer(0, 1000), "5",
      "Per outbound entry: an address that fails this many attempts in a row (connect or TLS failure, reset, "
          + "timeout, 5xx) is ejected from balancing for a while (0 = never)."),
  OUTBOUND_OUTLIER_EJECTION_TIME("outbound.outlier.ejectionTime", positiveDuration(), "30s",
      "Per outbound entry: how long an address is ejected the first time; each further ejection in a row adds as "
          + "much, up to ten times this."),
  OUTBOUND_OUTLIER_MAX_EJECTED_PERCENT("outbound.outlier.maxEjectedPercent", integer(0, 100), "50",
      "Per outbound entry: at most this share of the remote's addresses is ejected at once (but one of two or "
          + "more may always be); the last address in rotation never is.");

  private final String path;
  private final ValueType<?> type;
  private final String defaultValue;
  private final String description;

  Key(String path, ValueType<?> type, String defaultValue, String description) {
    this.path = path;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The dotted YAML path, e.g. {@code pool.maxConnections}. */
  public String path() {
    return path;
  }

  /** How the value is parsed, which values are allowed and how both are documented. */
  public ValueType<?> type() {
    return type;
  }

  /** The default as text; empty means what {@link ValueType#whenEmpty()} says (computed at start-up, or none). */
  public String defaultValue() {
    return defaultValue;
  }

  /** The default as documented: the value, or what an empty default means. */
  public String defaultDisplay() {
    return defaultValue.isEmpty() ? type.whenEmpty().orElse("(none)") : "`" + defaultValue + "`";
  }

  /** The parameter label in {@code --help}, such as {@code DURATION}. */
  public String valueHint() {
    return type.hint();
  }

  public String description() {
    return description;
  }

  /** The YAML section the key is in ({@code pool}), or empty for a top-level key. */
  public String section() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /** The key's name within its section, which is also its record component's name: {@code maxConnections}. */
  public String field() {
    return path.substring(path.lastIndexOf('.') + 1);
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
    return type.isList();
  }

  public boolean isBoolean() {
    return type.isBoolean();
  }

  private String words() {
    return path.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2");
  }

  public static Optional<Key> byPath(String path) {
    return Arrays.stream(values()).filter(k -> k.path.equals(path)).findFirst();
  }

  /** The key {@code field} of {@code section} (empty: top level); a missing one is a programming error. */
  static Key of(String section, String field) {
    String path = section.isEmpty() ? field : section + "." + field;
    return byPath(path).orElseThrow(() -> new IllegalStateException("no key " + path + " is declared in Key"));
  }

  /** One event loop per core, as Netty does; the range caps it on very large hosts. */
  private static int cores() {
    return Math.min(256, Runtime.getRuntime().availableProcessors());
  }
}
