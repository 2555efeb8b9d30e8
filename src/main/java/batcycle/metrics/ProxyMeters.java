package batcycle.metrics;

import batcycle.config.MetricsConfig;
import batcycle.pipeline.TraceContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's own meters, shared by all event loops. Timers with tags are registered once per tag combination
 * and cached under a numeric key, so recording a request allocates no tag objects on the hot path.
 */
public final class ProxyMeters {
  /** Methods that get their own label value; anything else is {@code other}, keeping the label bounded. */
  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
      "OPTIONS", "TRACE", "CONNECT");
  private static final String OTHER_METHOD = "other";
  private static final List<String> OUTCOMES = List.of(MeterNames.OUTCOME_SUCCESS,
      MeterNames.OUTCOME_CLIENT_ERROR, MeterNames.OUTCOME_SERVER_ERROR, MeterNames.OUTCOME_LOCAL,
      MeterNames.OUTCOME_ABORTED);
  /** Values of the outcome tag on {@link MeterNames#UPSTREAM_ATTEMPTS}. */
  public static final List<String> ATTEMPT_OUTCOMES = List.of("success", "http_5xx", "connect_error", "timeout",
      "reset", "protocol_error", "tls_error");
  /** Finer than request latency: batcycle's own share is usually well under a millisecond. */
  private static final Duration[] OVERHEAD_BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100),
      Duration.ofMillis(500), Duration.ofSeconds(1)};

  private final MeterRegistry registry;
  private final Tags tags;
  private final TraceExemplars exemplars;
  private final Duration[] latencyBuckets;
  /** The route patterns and the timers of their labels, replaced together when a reload changes the patterns. */
  private volatile RouteTimers routeTimers;
  private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
  private final Timer[] attemptTimers;
  private final Timer overhead;
  private final Counter requestBytes;
  private final Counter responseBytes;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger activeAttempts = new AtomicInteger();
  private final AtomicInteger upstreamConnections = new AtomicInteger();

  public ProxyMeters(MeterRegistry registry, TraceExemplars exemplars, MetricsConfig config, int upstreamPoolMax) {
    this(registry, exemplars, config, upstreamPoolMax, MeterNames.DIRECTION_INBOUND, MeterNames.UPSTREAM_APP);
  }

  /**
   * The meters of one request path: {@code direction} ({@link MeterNames#INBOUND} or {@link MeterNames#OUTBOUND})
   * and {@code upstream} (the app, or an outbound entry's name) tag every one of them.
   */
  public ProxyMeters(MeterRegistry registry, TraceExemplars exemplars, MetricsConfig config, int upstreamPoolMax,
                     String direction, String upstream) {
    this.registry = registry;
    this.tags = Tags.of(MeterNames.TAG_DIRECTION, direction, MeterNames.TAG_UPSTREAM, upstream);
    this.exemplars = exemplars;
    this.latencyBuckets = config.latencyBuckets().toArray(Duration[]::new);
    this.routeTimers = new RouteTimers(new RouteMatcher(config.routes()));
    this.attemptTimers = new Timer[ATTEMPT_OUTCOMES.size()];
    for (int i = 0; i < attemptTimers.length; i++) {
      attemptTimers[i] = Timer.builder(MeterNames.UPSTREAM_ATTEMPTS)
          .description("Attempts sent to the app, until its response head or the failure")
          .tag(MeterNames.TAG_OUTCOME, ATTEMPT_OUTCOMES.get(i)).tags(tags)
          .serviceLevelObjectives(latencyBuckets).register(registry);
    }
    overhead = Timer.builder(MeterNames.OVERHEAD)
        .description("Latency batcycle added: total time minus time spent on attempts to the app")
        .serviceLevelObjectives(OVERHEAD_BUCKETS).tags(tags).register(registry);
    requestBytes = Counter.builder(MeterNames.REQUEST_BYTES).baseUnit("bytes")
        .description("Request body bytes received from clients").tags(tags).register(registry);
    responseBytes = Counter.builder(MeterNames.RESPONSE_BYTES).baseUnit("bytes")
        .description("Response body bytes sent to clients").tags(tags).register(registry);
    Gauge.builder(MeterNames.REQUESTS_ACTIVE, activeRequests, AtomicInteger::get)
        .description("Requests in flight").tags(tags).register(registry);
    Gauge.builder(MeterNames.CONNECTIONS_ACTIVE, openConnections, AtomicInteger::get)
        .description("Open client connections").tags(tags).register(registry);
    Gauge.builder(MeterNames.UPSTREAM_ACTIVE, activeAttempts, AtomicInteger::get)
        .description("Attempts to the app waiting for or holding a pooled connection").tags(tags).register(registry);
    Gauge.builder(MeterNames.UPSTREAM_CONNECTIONS, upstreamConnections, AtomicInteger::get)
        .description("Open connections to the app").tags(tags).register(registry);
    Gauge.builder(MeterNames.UPSTREAM_POOL_MAX, () -> upstreamPoolMax)
        .description("Configured size of the connection pool to the app").tags(tags).register(registry);
  }

  /** The {@code direction} and {@code upstream} tags every meter of this request path carries. */
  public Tags tags() {
    return tags;
  }

  private record RouteTimers(RouteMatcher routes, TimerTable timers) {
    RouteTimers(RouteMatcher routes) {
      this(routes, new TimerTable((routes.size() + 1) * (METHODS.size() + 1) * OUTCOMES.size()));
    }
  }

  /** New route patterns ({@code metrics.routes}) for requests recorded from now on. */
  public void routes(List<String> patterns) {
    if (!routeTimers.routes().patterns().equals(patterns)) {
      routeTimers = new RouteTimers(new RouteMatcher(patterns));
    }
  }

  /** The registry, for concerns that register meters of their own (once, in their constructors). */
  public MeterRegistry registry() {
    return registry;
  }

  /** Counts every client connection while it is open. */
  public AtomicInteger openConnections() {
    return openConnections;
  }

  /** Counts every connection to the app while it is open. */
  public AtomicInteger upstreamConnections() {
    return upstreamConnections;
  }

  public AtomicInteger activeRequests() {
    return activeRequests;
  }

  public AtomicInteger activeAttempts() {
    return activeAttempts;
  }

  /** Records one finished request as the client saw it. */
  public void recordRequest(String method, int status, String outcome, String path, long nanos,
                            long upstreamNanos, long bytesIn, long bytesOut, TraceContext trace) {
    RouteTimers current = routeTimers;
    RouteMatcher routes = current.routes();
    TimerTable requestTimers = current.timers();
    int methodIndex = METHODS.indexOf(method);
    int outcomeIndex = OUTCOMES.indexOf(outcome);
    int routeIndex = routes.indexOf(path);
    int labels = ((routeIndex + 1) * (METHODS.size() + 1) + (methodIndex + 1)) * OUTCOMES.size() + outcomeIndex;
    Timer timer = requestTimers.get(labels, status);
    if (timer == null) {
      timer = requestTimers.putIfAbsent(labels, status, Timer.builder(MeterNames.REQUESTS)
          .description("Requests as the client saw them, from arrival to the last response byte")
          .tag(MeterNames.TAG_METHOD, methodIndex < 0 ? OTHER_METHOD : METHODS.get(methodIndex))
          .tag(MeterNames.TAG_STATUS, Integer.toString(status))
          .tag(MeterNames.TAG_OUTCOME, outcome)
          .tag(MeterNames.TAG_ROUTE, routes.label(routeIndex)).tags(tags)
          .serviceLevelObjectives(latencyBuckets)
          .register(registry));
    }
    exemplars.record(trace, timer, nanos);
    overhead.record(Math.max(0, nanos - upstreamNanos), TimeUnit.NANOSECONDS);
    if (bytesIn > 0) {
      requestBytes.increment(bytesIn);
    }
    if (bytesOut > 0) {
      responseBytes.increment(bytesOut);
    }
  }

  /** Records one attempt to the app; {@code outcome} is one of {@link #ATTEMPT_OUTCOMES}. */
  public void recordAttempt(String outcome, long nanos, TraceContext trace) {
    exemplars.record(trace, attemptTimers[ATTEMPT_OUTCOMES.indexOf(outcome)], nanos);
  }

  /** Counts a request batcycle refused itself; {@code reason} is a failure code such as {@code bad_request}. */
  public void recordRejection(String reason) {
    rejections.computeIfAbsent(reason, r -> Counter.builder(MeterNames.REJECTED)
        .description("Requests batcycle answered itself instead of forwarding them")
        .tag(MeterNames.TAG_REASON, r).tags(tags).register(registry)).increment();
  }
}
