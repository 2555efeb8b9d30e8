package batcycle.config;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code breaker:} section: the circuit breaker on the app. There is only one upstream, so an open circuit means
 * every client gets 503: it opens only on a high failure rate sustained over a minimum number of attempts.
 *
 * @param failureRate   failure rate in percent (1-100) over the window that opens the circuit
 * @param minimumCalls  attempts in the window before the rate is considered
 * @param window        time-based sliding window, whole seconds
 * @param openDuration  how long the circuit stays open before probes are let through
 * @param halfOpenCalls probes let through while half-open
 * @param statuses      response statuses that count as failures
 */
@Section("breaker")
public record BreakerConfig(boolean enabled, int failureRate, int minimumCalls, Duration window,
                            Duration openDuration, int halfOpenCalls, Set<Integer> statuses) {
  public BreakerConfig {
    Violations.of(BreakerConfig.class, enabled, failureRate, minimumCalls, window, openDuration, halfOpenCalls,
        statuses).throwIfAny();
    statuses = Set.copyOf(statuses);
  }

  /** The name before the record followed the YAML key {@code breaker.failureRate}. */
  public int failureRatePercent() {
    return failureRate;
  }
}
