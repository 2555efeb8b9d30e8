package batcycle.config;

import java.time.Duration;
import java.util.Set;

/**
 * When and how often a failed attempt is retried, and the budget that keeps retries from amplifying an outage.
 *
 * @param maxAttempts         attempts in total, the first included (1 = no retries)
 * @param statuses            response statuses retried for idempotent requests
 * @param maxReplayBytes      largest request body buffered for a replay (0 = bodies are never replayed)
 * @param maxRetryAfter       a Retry-After up to this is waited; a longer one is not retried
 * @param budgetRatio         retries may add this share of the requests in the window
 * @param budgetMinPerSecond  retries per second allowed whatever the request rate
 * @param budgetWindow        the sliding window, in whole seconds
 */
public record RetryConfig(int maxAttempts, Duration backoffBase, Duration backoffMax, Set<Integer> statuses,
                          int maxReplayBytes, Duration maxRetryAfter, double budgetRatio, int budgetMinPerSecond,
                          Duration budgetWindow) {
  public RetryConfig {
    statuses = Set.copyOf(statuses);
  }
}
