package batcycle.admin;

import batcycle.accesslog.AccessLogRecord;
import batcycle.accesslog.RecentFailures;
import batcycle.config.BatcycleConfig;
import batcycle.config.BuildInfo;
import batcycle.config.Key;
import batcycle.config.OutboundConfig;
import batcycle.config.Redaction;
import batcycle.config.SourcedValue;
import batcycle.config.Values;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the status page shows, as the JSON of {@code /stats.json}: recent traffic from {@link TrafficHistory}, the
 * current gauges and counters read from the registry, the upstream's readiness, the last failed requests, and a
 * summary of the configuration. A meter that is not registered (a feature not built into this binary, or not in
 * use) is {@code null}, which the page shows as "n/a". Confined to the admin event loop.
 */
final class StatusStats {
  /** The headline numbers cover this much recent time. */
  static final Duration RECENT = Duration.ofSeconds(10);
  /** A readiness answer younger than this is reused, so open pages do not each probe the app every second. */
  private static final long READINESS_MAX_AGE_MS = 2_000;
  private static final List<String> CIRCUIT_STATES_WORST_FIRST = List.of("forced_open", "open", "half_open",
      "metrics_only", "disabled", "closed");

  private final Supplier<ConfigState> configState;
  private final MeterRegistry registry;
  private final Readiness readiness;
  private final RecentFailures failures;
  private final TrafficHistory history;
  /** One per outbound entry, in configuration order. */
  private final Map<String, TrafficHistory> outbound = new LinkedHashMap<>();
  private final long startedMillis;
  /** The summary of the configuration last shown, rebuilt when a reload put another one in force. */
  private ConfigState summarized;
  private JsonObject configSummary;
  private Readiness.State lastReadiness;
  private long lastReadinessMillis;
  private Future<Readiness.State> probing;

  /** {@code config}: the start's (the latency buckets, which no reload changes). */
  StatusStats(BatcycleConfig config, Supplier<ConfigState> configState, MeterRegistry registry, Readiness readiness,
              RecentFailures failures, long startedMillis) {
    this.configState = configState;
    this.registry = registry;
    this.readiness = readiness;
    this.failures = failures;
    this.history = new TrafficHistory(registry, config.metrics().latencyBuckets());
    for (OutboundConfig entry : config.outbound()) {
      outbound.put(entry.name(), new TrafficHistory(registry, config.metrics().latencyBuckets(), outboundTags(entry)));
    }
    this.startedMillis = startedMillis;
  }

  /** Takes the once-a-second sample. */
  void sample(long nowMillis) {
    history.record(nowMillis);
    outbound.values().forEach(h -> h.record(nowMillis));
  }

  /** The whole page's data; completes once readiness is known (at once, unless no answer is cached yet). */
  Future<JsonObject> json(long nowMillis) {
    return readiness(nowMillis).map(state -> build(nowMillis, state));
  }

  private Future<Readiness.State> readiness(long nowMillis) {
    boolean fresh = lastReadiness != null && nowMillis - lastReadinessMillis < READINESS_MAX_AGE_MS;
    if (!fresh && probing == null) {
      Future<Readiness.State> probe = readiness.check()
          .recover(cause -> Future.succeededFuture(new Readiness.State(false, String.valueOf(cause.getMessage()))));
      probing = probe;
      // May run at once (an answer that needs no I/O), so set the field first and clear it here.
      probe.onComplete(ar -> {
        lastReadiness = ar.result();
        lastReadinessMillis = System.currentTimeMillis();
        probing = null;
      });
    }
    // Serve the last answer while a new one is on its way; only the very first request waits for the probe.
    return lastReadiness != null ? Future.succeededFuture(lastReadiness) : probing;
  }

  JsonObject build(long nowMillis, Readiness.State state) {
    TrafficHistory.Sample now = history.read(nowMillis);
    TrafficHistory.Sample base = history.since(nowMillis - RECENT.toMillis());
    if (base == null) {
      base = new TrafficHistory.Sample(startedMillis, 0, 0, 0, new long[now.buckets().length], new long[6], Map.of());
    }
    TrafficHistory.Window recent = history.between(base, now);
    return new JsonObject()
        .put("version", BuildInfo.version())
        .put("java", Runtime.version().toString())
        .put("now", nowMillis)
        .put("startedAt", startedMillis)
        .put("uptimeSeconds", Math.max(0, nowMillis - startedMillis) / 1000)
        .put("health", new JsonObject().put("ready", state.ready()).put("detail", state.detail())
            .put("checkedAt", lastReadinessMillis == 0 ? nowMillis : lastReadinessMillis))
        .put("totals", totals(now))
        .put("recent", window(recent))
        .put("latencyCapMs", history.latencyCapMs())
        .put("series", new JsonObject().put("stepSeconds", TrafficHistory.STEP_SECONDS)
            .put("spanSeconds", TrafficHistory.SECONDS)
            .put("points", new JsonArray(history.series().stream().map(StatusStats::window).toList())))
        .put("inFlight", inFlight())
        .put("retries", retries(now, recent))
        .put("circuit", circuit())
        .put("shed", shed())
        .put("outbound", outbound(nowMillis))
        .put("failures", failures())
        .put("config", configSummary());
  }

  private JsonObject configSummary() {
    ConfigState state = configState.get();
    if (state != summarized) {
      summarized = state;
      configSummary = configSummary(state.config()).put("hash", state.hash()).put("lastReload", lastReload(state));
    }
    return configSummary;
  }

  /** The last reload (or the start) as JSON, for the status page and {@code /config}. */
  static JsonObject lastReload(ConfigState state) {
    return new JsonObject().put("result", state.lastResult()).put("at", state.lastAtMillis())
        .put("trigger", state.lastTrigger()).put("detail", state.lastDetail())
        .put("pendingRestart", new JsonArray(state.pendingRestart()));
  }

  private static JsonObject totals(TrafficHistory.Sample now) {
    JsonObject byClass = new JsonObject();
    String[] names = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < names.length; i++) {
      byClass.put(names[i], now.byClass()[i]);
    }
    return new JsonObject()
        .put("requests", now.requests())
        .put("errors", now.errors())
        .put("errorRatio", now.requests() == 0 ? null : (double) now.errors() / now.requests())
        .put("byClass", byClass)
        .put("byOutcome", new JsonObject(Map.copyOf(now.byOutcome())));
  }

  private static JsonObject window(TrafficHistory.Window w) {
    return new JsonObject()
        .put("from", w.fromMillis())
        .put("to", w.toMillis())
        .put("requests", w.requests())
        .put("errors", w.errors())
        .put("rate", w.rate())
        .put("errorRatio", w.errorRatio())
        .put("p50Ms", w.p50Ms())
        .put("p99Ms", w.p99Ms());
  }

  private JsonObject inFlight() {
    return new JsonObject()
        .put("requests", gauge(MeterNames.REQUESTS_ACTIVE))
        .put("connections", gauge(MeterNames.CONNECTIONS_ACTIVE))
        .put("upstreamRequests", gauge(MeterNames.UPSTREAM_ACTIVE))
        .put("upstreamConnections", gauge(MeterNames.UPSTREAM_CONNECTIONS))
        .put("upstreamConnectionsMax", gauge(MeterNames.UPSTREAM_POOL_MAX));
  }

  /** Retry budget use: retries against requests, overall and recently; null if this batcycle has no retry meters. */
  private JsonObject retries(TrafficHistory.Sample now, TrafficHistory.Window recent) {
    Collection<Meter> retried = inbound(MeterNames.RETRIES).meters();
    Collection<Meter> skipped = inbound(MeterNames.RETRY_SKIPPED).meters();
    Collection<Meter> exhausted = inbound(MeterNames.RETRY_BUDGET_EXHAUSTED).meters();
    if (retried.isEmpty() && skipped.isEmpty() && exhausted.isEmpty()) {
      return null;
    }
    return new JsonObject()
        .put("retries", now.retries())
        .put("requests", now.requests())
        .put("ratio", now.requests() == 0 ? null : (double) now.retries() / now.requests())
        .put("recentRetries", recent.retries())
        .put("recentRatio", recent.requests() == 0 ? null : (double) recent.retries() / recent.requests())
        .put("budgetExhausted", exhausted.isEmpty() ? null : sum(exhausted))
        .put("skipped", byTag(skipped, MeterNames.TAG_REASON));
  }

  /** The breaker's state (the worst, if there are several breakers); null if there is no breaker gauge. */
  private JsonObject circuit() {
    Collection<Meter> gauges = inbound(MeterNames.CIRCUIT_STATE).meters();
    if (gauges.isEmpty()) {
      return null;
    }
    return new JsonObject().put("state", worstState(gauges));
  }

  /** The worst state among circuit-state gauges at 1, or null. */
  private static String worstState(Collection<Meter> gauges) {
    String worst = null;
    for (Meter gauge : gauges) {
      String state = gauge.getId().getTag(MeterNames.TAG_STATE);
      if (state != null && valueOf(gauge) >= 1) {
        String normalised = state.toLowerCase(java.util.Locale.ROOT);
        if (worst == null || rank(normalised) < rank(worst)) {
          worst = normalised;
        }
      }
    }
    return worst;
  }

  private static int rank(String state) {
    int i = CIRCUIT_STATES_WORST_FIRST.indexOf(state);
    return i < 0 ? CIRCUIT_STATES_WORST_FIRST.size() : i;
  }

  /** Requests batcycle answered itself instead of forwarding, by reason. */
  private JsonObject shed() {
    Collection<Meter> rejected = inbound(MeterNames.REJECTED).meters();
    return new JsonObject().put("total", sum(rejected)).put("byReason", byTag(rejected, MeterNames.TAG_REASON));
  }

  private JsonObject failures() {
    JsonArray items = new JsonArray();
    for (AccessLogRecord r : failures.newestFirst()) {
      items.add(new JsonObject()
          .put("ts", r.timestampMillis())
          .put("method", r.method())
          .put("path", r.path())
          .put("status", r.status())
          .put("flags", r.flags())
          .put("outbound", MeterNames.DIRECTION_OUTBOUND.equals(r.direction()) ? r.upstream() : null)
          .put("requestId", r.requestId())
          .put("durationMs", r.durationMs()));
    }
    return new JsonObject().put("capacity", failures.capacity()).put("total", failures.total()).put("items", items);
  }

  /** The inbound path's meters named {@code name}: the headline numbers are about the app's own traffic. */
  private io.micrometer.core.instrument.search.Search inbound(String name) {
    return registry.find(name).tags(TrafficHistory.INBOUND);
  }

  /**
   * Each outbound entry: where it listens and forwards, its recent traffic (as the headline numbers, from its own
   * history), retries, circuit state, addresses in rotation and ejected, and requests in flight.
   */
  private JsonArray outbound(long nowMillis) {
    JsonArray entries = new JsonArray();
    for (OutboundConfig entry : configState.get().config().outbound()) {
      TrafficHistory traffic = outbound.get(entry.name());
      if (traffic == null) {
        continue; // added by a reload: it runs after a restart
      }
      TrafficHistory.Sample now = traffic.read(nowMillis);
      TrafficHistory.Sample base = traffic.since(nowMillis - RECENT.toMillis());
      if (base == null) {
        base = new TrafficHistory.Sample(startedMillis, 0, 0, 0, new long[now.buckets().length], new long[6],
            Map.of());
      }
      Tags tags = outboundTags(entry);
      entries.add(new JsonObject()
          .put("name", entry.name())
          .put("listen", entry.listen().toString())
          .put("upstream", String.join(", ", entry.upstreams().stream().map(Object::toString).toList()))
          .put("requests", now.requests())
          .put("recent", window(traffic.between(base, now)))
          .put("circuit", worstState(registry.find(MeterNames.CIRCUIT_STATE).tags(tags).meters()))
          .put("healthy", gauge(registry.find(MeterNames.UPSTREAM_ENDPOINTS).tags(tags)
              .tag(MeterNames.TAG_STATE, "healthy")))
          .put("ejected", gauge(registry.find(MeterNames.UPSTREAM_ENDPOINTS).tags(tags)
              .tag(MeterNames.TAG_STATE, "ejected")))
          .put("inFlight", gauge(registry.find(MeterNames.REQUESTS_ACTIVE).tags(tags))));
    }
    return entries;
  }

  private static Tags outboundTags(OutboundConfig entry) {
    return Tags.of(MeterNames.TAG_DIRECTION, MeterNames.DIRECTION_OUTBOUND, MeterNames.TAG_UPSTREAM, entry.name());
  }

  /** A gauge's value (whole numbers as integers), or null if it is not registered. */
  private Number gauge(String name) {
    return gauge(inbound(name));
  }

  private static Number gauge(io.micrometer.core.instrument.search.Search search) {
    Meter meter = search.meter();
    if (meter == null) {
      return null;
    }
    double value = valueOf(meter);
    return value == Math.rint(value) ? (Number) (long) value : (Number) value;
  }

  private static long sum(Collection<Meter> meters) {
    long total = 0;
    for (Meter meter : meters) {
      total += (long) countOf(meter);
    }
    return total;
  }

  private static JsonObject byTag(Collection<Meter> meters, String tag) {
    Map<String, Long> counts = new TreeMap<>();
    for (Meter meter : meters) {
      String value = meter.getId().getTag(tag);
      counts.merge(value == null ? "other" : value, (long) countOf(meter), Long::sum);
    }
    return new JsonObject(Map.copyOf(counts));
  }

  /** A counter's count, whatever kind of meter carries it (counter, function counter, timer). */
  static double countOf(Meter meter) {
    for (Measurement m : meter.measure()) {
      if (m.getStatistic() == Statistic.COUNT) {
        return m.getValue();
      }
    }
    return valueOf(meter);
  }

  private static double valueOf(Meter meter) {
    for (Measurement m : meter.measure()) {
      if (m.getStatistic() == Statistic.VALUE || m.getStatistic() == Statistic.COUNT) {
        double value = m.getValue();
        return Double.isNaN(value) ? 0 : value;
      }
    }
    return 0;
  }

  /** The few settings a person checks first, plus every key not at its default (values redacted). */
  private static JsonObject configSummary(BatcycleConfig config) {
    var upstream = config.upstream();
    var listener = config.listener();
    JsonArray changed = new JsonArray();
    for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
      if (!e.getValue().source().equals("default")) {
        changed.add(new JsonObject().put("key", e.getKey().path())
            .put("value", Redaction.configValue(e.getKey().path(), e.getValue().text()))
            .put("source", e.getValue().source()));
      }
    }
    return new JsonObject()
        .put("listen", listener.address().toString())
        .put("upstream", upstream.displayUrl())
        .put("protocol", upstream.protocol().toString())
        .put("admin", config.admin().toString())
        .put("eventLoops", listener.eventLoops())
        .put("poolMaxConnections", upstream.maxConnections())
        .put("timeouts", new JsonObject()
            .put("connect", Values.format(upstream.connectTimeout()))
            .put("response", Values.format(upstream.responseTimeout()))
            .put("upstreamIdle", Values.format(upstream.idleTimeout()))
            .put("clientIdle", Values.format(listener.clientIdleTimeout())))
        .put("accessLog", config.accessLog().enabled() ? config.accessLog().format().toString() : "off")
        .put("configFile", config.configFile().map(Object::toString).orElse(null))
        .put("changed", changed);
  }
}
