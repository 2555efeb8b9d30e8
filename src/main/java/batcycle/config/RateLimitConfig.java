package batcycle.config;

import java.time.Duration;

/**
 * An optional local rate limit on requests, all clients together.
 *
 * @param limit  requests accepted per period; 0 switches the rate limit off
 * @param period the period, at least 1 ms
 */
public record RateLimitConfig(int limit, Duration period) {
  public boolean enabled() {
    return limit > 0;
  }
}
