package batcycle.config;

import java.time.Duration;
import java.util.List;

/** Histogram buckets and the optional route label of the request meters. */
public record MetricsConfig(List<Duration> latencyBuckets, List<String> routes) {
  public MetricsConfig {
    latencyBuckets = List.copyOf(latencyBuckets);
    routes = List.copyOf(routes);
  }
}
