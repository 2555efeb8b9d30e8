package batcycle.config;

import java.time.Duration;
import java.util.List;

/** The {@code metrics:} section: histogram buckets and the optional route label of the request meters. */
@Section("metrics")
public record MetricsConfig(List<Duration> latencyBuckets, List<String> routes) {
  public MetricsConfig {
    Violations.of(MetricsConfig.class, latencyBuckets, routes).throwIfAny();
    latencyBuckets = List.copyOf(latencyBuckets);
    routes = List.copyOf(routes);
  }
}
