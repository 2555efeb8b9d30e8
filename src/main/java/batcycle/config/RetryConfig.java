package batcycle.config;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code retry:} section: when and how often a failed attempt is retried, and the budget that keeps retries from
 * amplifying an outage.
 *
 * @param maxAttempts         attempts in total, the first included (1 = no retries)
 * @param statuses            response statuses retried for idempotent requests
 * @param maxReplayBytes      largest request body buffered for a replay (0 = bodies are never replayed)
 * @param maxRetryAfter       a Retry-After up to this is waited; a longer one is not retried
 * @param budgetRatio         retries may add this share of the requests in the window
 * @param budgetMinPerSecond  retries per second allowed whatever the request rate
 * @param budgetWindow        the sliding window, in whole seconds
 */
@Section("retry")
public record RetryConfig(int maxAttempts, Duration backoffBase, Duration backoffMax, Set<Integer> statuses,
                          int maxReplayBytes, Duration maxRetryAfter, double budgetRatio, int budgetMinPerSecond,
                          Duration budgetWindow) {
  public RetryConfig {
    Violations.of(RetryConfig.class, maxAttempts, backoffBase, backoffMax, statuses, maxReplayBytes, maxRetryAfter,
            budgetRatio, budgetMinPerSecond, budgetWindow)
        .require(backoffMax == null || backoffBase == null || backoffMax.compareTo(backoffBase) >= 0,
            Key.RETRY_BACKOFF_MAX, backoffMax,
            "at least retry.backoffBase (" + (backoffBase == null ? "?" : Values.format(backoffBase)) + ")",
            Key.RETRY_BACKOFF_BASE)
        .throwIfAny();
    statuses = Set.copyOf(statuses);
  }
}
