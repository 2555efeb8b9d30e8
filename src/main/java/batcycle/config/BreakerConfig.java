package batcycle.config;

import java.time.Duration;
import java.util.Set;

/**
 * The circuit breaker on the app. There is only one upstream, so an open circuit means every client gets 503: it
 * opens only on a high failure rate sustained over a minimum number of attempts.
 *
 * @param failureRatePercent failure rate (1-100) over the window that opens the circuit
 * @param minimumCalls       attempts in the window before the rate is considered
 * @param window             time-based sliding window, whole seconds
 * @param openDuration       how long the circuit stays open before probes are let through
 * @param halfOpenCalls      probes let through while half-open
 * @param statuses           response statuses that count as failures
 */
public record BreakerConfig(boolean enabled, int failureRatePercent, int minimumCalls, Duration window,
                            Duration openDuration, int halfOpenCalls, Set<Integer> statuses) {
  public BreakerConfig {
    statuses = Set.copyOf(statuses);
  }
}
