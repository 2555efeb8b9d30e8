package batcycle.config;

import java.time.Duration;

/**
 * The {@code rateLimit:} section: an optional local rate limit on requests, all clients together.
 *
 * @param limit  requests accepted per period; 0 switches the rate limit off
 * @param period the period, at least 1 ms
 */
@Section("rateLimit")
public record RateLimitConfig(int limit, Duration period) {
  public RateLimitConfig {
    Violations.of(RateLimitConfig.class, limit, period).throwIfAny();
  }

  public boolean enabled() {
    return limit > 0;
  }
}
