package batcycle.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;

/**
 * The effective configuration, immutable, read once at start-up. Its shape is the YAML file's: the top-level keys are
 * components here (named like the keys; {@code upstream} is {@link #upstreamUrl()}, since {@link #upstream()} is the
 * app's whole connection settings), and each section is a {@link Section} record. {@link #listener()},
 * {@link #upstream()}, {@link #deadline()}, {@link #observability()} and {@link #lifecycle()} gather settings from
 * several sections for the code that uses them together.
 *
 * @param outbound     the outbound entries named by {@code outbound}, each complete with its own settings
 * @param configAccess who may read {@code /config}
 * @param configFile   the YAML file it was read from, if any
 * @param sources      every key's effective text and its source, for printing the configuration
 */
public record BatcycleConfig(HostPort listen, URI upstreamUrl, HostPort admin, ConfigAccess configAccess,
                             UpstreamProtocol upstreamProtocol, int eventLoops, IoTransport transport,
                             Optional<Duration> terminationGracePeriod, Optional<Duration> appKeepAliveTimeout,
                             String hostIp, boolean demo, List<OutboundConfig> outbound,
                             PoolConfig pool, TimeoutsConfig timeouts, LimitConfig limits, RateLimitConfig rateLimit,
                             BufferConfig buffer, RetryConfig retry, BreakerConfig breaker, HeaderConfig headers, MetricsConfig metrics,
                             AccessLogConfig accessLog, TracingConfig tracing, LogConfig log,
                             ReadinessConfig readiness, DrainConfig drain, StartupConfig startup,
                             TlsConfig tls, ReloadConfig reload, DnsConfig dns, Optional<Path> configFile,
                             Map<Key, SourcedValue> sources) {
  public BatcycleConfig {
    String clash = outbound == null || listen == null || admin == null || upstreamUrl == null ? null
        : outboundClash(outbound, listen, admin, upstreamUrl);
    new Violations().check(Key.LISTEN, listen).check(Key.UPSTREAM, upstreamUrl).check(Key.ADMIN, admin)
        .check(Key.CONFIG_ACCESS, configAccess).check(Key.UPSTREAM_PROTOCOL, upstreamProtocol)
        .check(Key.EVENT_LOOPS, eventLoops).check(Key.TRANSPORT, transport)
        .check(Key.TERMINATION_GRACE_PERIOD, terminationGracePeriod)
        .check(Key.APP_KEEP_ALIVE_TIMEOUT, appKeepAliveTimeout)
        .check(Key.HOST_IP, hostIp).check(Key.DEMO, demo)
        .check(Key.OUTBOUND, outbound == null ? null : outbound.stream().map(OutboundConfig::entry).toList())
        // Two servers of one Vert.x instance on one address share its connections round-robin: every other
        // request would reach the admin server instead of the app.
        .require(listen == null || admin == null || !admin.overlaps(listen), Key.ADMIN, admin,
            "a port apart from listen (" + listen + "): the proxy and the admin server would share connections",
            Key.LISTEN)
        .require(clash == null, Key.OUTBOUND, outbound == null ? null
            : outbound.stream().map(OutboundConfig::entry).toList(), clash, Key.LISTEN, Key.ADMIN)
        .throwIfAny();
    outbound = List.copyOf(outbound);
    sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  /** What is wrong with the outbound entries' names and addresses together, or null if nothing is. */
  private static String outboundClash(List<OutboundConfig> outbound, HostPort listen, HostPort admin,
                                      URI upstreamUrl) {
    HostPort app = new HostPort(upstreamUrl.getHost().replace("[", "").replace("]", ""),
        upstreamUrl.getPort() == -1 ? 80 : upstreamUrl.getPort());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < outbound.size(); i++) {
      OutboundConfig entry = outbound.get(i);
      if (!names.add(entry.name())) {
        return "each entry named once (" + entry.name() + " is used twice)";
      }
      HostPort at = entry.listen();
      String clash = at.overlaps(listen) ? "listen (" + listen + ")" : at.overlaps(admin) ? "admin (" + admin + ")"
          : at.overlaps(app) ? "the app's address (" + app + ")" : null;
      for (int j = 0; j < i && clash == null; j++) {
        clash = at.overlaps(outbound.get(j).listen()) ? "entry " + outbound.get(j).name() : null;
      }
      if (clash != null) {
        return "a listen address of its own for entry " + entry.name() + " (" + at + " is also " + clash + ")";
      }
    }
    return null;
  }

  /** The defaults, as a newcomer gets them with no flags, environment or file. */
  public static BatcycleConfig defaults() {
    return ConfigLoader.fromValues(Map.of(), Map.of(), Map.of(), Optional.empty());
  }

  /** A copy with some keys overridden, e.g. {@code listen: 127.0.0.1:0} in tests. */
  public BatcycleConfig with(Map<Key, String> overrides) {
    // Keys not overridden keep their source: passing them all back as flags made /config report every key,
    // defaults included, as set by a flag.
    Map<Key, SourcedValue> merged = new LinkedHashMap<>(sources);
    overrides.forEach((k, v) -> merged.put(k, SourcedValue.flag(k, v)));
    Map<String, Map<Key, SourcedValue>> entries = new LinkedHashMap<>();
    outbound.forEach(entry -> entries.put(entry.name(), entry.own()));
    return ConfigLoader.fromSources(merged, configFile, entries);
  }

  // ---------------------------------------------------------------- settings of several sections, gathered

  /** The client-facing side: {@code listen}, {@code eventLoops}, and the client limits and timeouts. */
  public ListenerConfig listener() {
    return new ListenerConfig(listen, eventLoops, limits.maxHeaderSize(), limits.maxRequestLine(),
        timeouts.clientIdle(), timeouts.requestHeader(), limits.maxConnections());
  }

  /** What a client's request body and response must keep up with, and how much of the body is read ahead. */
  public ClientPaceConfig clientPace() {
    return new ClientPaceConfig(buffer.requestBody(), timeouts.requestBody(), limits.minRequestBodyRate(),
        limits.minRequestBodyRateGrace(), timeouts.responseSend());
  }

  /**
   * The app: {@code upstream}, {@code upstreamProtocol}, the pool and the per-attempt timeouts. Unless set, the pool
   * follows {@code limits.maxConcurrent}: every request in flight to an HTTP/1.1 app needs a connection of its own,
   * so a smaller pool would only make requests queue behind slow ones while permits are left.
   */
  public UpstreamConfig upstream() {
    return new UpstreamConfig(upstreamUrl, upstreamProtocol, pool.maxConnections().orElse(limits.maxConcurrent()),
        pool.idleTimeout(), timeouts.connect(), timeouts.response(), timeouts.upstreamIdle());
  }

  /** {@code timeouts.request} and {@code timeouts.response}. */
  public DeadlineConfig deadline() {
    return new DeadlineConfig(timeouts.request(), timeouts.response());
  }

  /** {@code tracing}, {@code log} and the readiness check's path and timeout. */
  public ObservabilityConfig observability() {
    return new ObservabilityConfig(tracing.startTraces(), log.format(), readiness.path(), readiness.timeout());
  }

  /** {@code drain}, {@code startup}, {@code readiness.checkApp} and what the pod tells batcycle about itself. */
  public LifecycleConfig lifecycle() {
    return new LifecycleConfig(drain.delay(), drain.timeout(), terminationGracePeriod, appKeepAliveTimeout,
        startup.holdTimeout(), startup.maxHeld(), readiness.checkApp(), hostIp);
  }
}
