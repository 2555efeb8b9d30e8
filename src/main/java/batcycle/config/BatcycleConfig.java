package batcycle.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;

/**
 * The effective configuration, immutable, read once at start-up.
 *
 * @param transport  the network I/O transport asked for ({@code auto} unless configured)
 * @param configFile the YAML file it was read from, if any
 * @param sources    every key's effective text and its source, for printing the configuration
 */
public record BatcycleConfig(ListenerConfig listener, UpstreamConfig upstream, HostPort admin,
                             HeaderConfig headers, MetricsConfig metrics, AccessLogConfig accessLog,
                             ObservabilityConfig observability, DeadlineConfig deadline, RetryConfig retry,
                             BreakerConfig breaker, LimitConfig limits, RateLimitConfig rateLimit,
                             LifecycleConfig lifecycle, IoTransport transport, boolean demo,
                             Optional<Path> configFile,
                             Map<Key, SourcedValue> sources) {
  public BatcycleConfig {
    sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
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
    overrides.forEach((k, v) -> merged.put(k, new SourcedValue(v, "flag " + k.flag())));
    return ConfigLoader.fromSources(merged, configFile);
  }
}
