package batcycle.config;

import java.time.Duration;

/**
 * The {@code limits:} section: what one client may send, how many connections are open at once, and load shedding
 * in front of the app (a cap on concurrent requests with a small bounded queue, optionally adapted to the app's
 * latency).
 *
 * @param maxConnections   open client connections at once; 0 means no cap
 * @param maxHeaderCount   request header fields at most
 * @param minRequestBodyRate      bytes a second a request body must average once read for the grace period; 0: none
 * @param minRequestBodyRateGrace reading time before the minimum rate applies
 * @param maxConcurrent    the cap (with {@code adaptive}, the highest the adaptive limit may go)
 * @param queueSize        requests that may wait for a permit; 0 sheds at once
 * @param queueTimeout     the longest wait in the queue
 * @param adaptive         adapt the limit to latency (gradient algorithm)
 * @param adaptiveMinLimit the lowest the adaptive limit goes
 */
@Section("limits")
public record LimitConfig(int maxConnections, int maxHeaderSize, int maxRequestLine, int maxHeaderCount,
                          int minRequestBodyRate, Duration minRequestBodyRateGrace, int maxConcurrent,
                          int queueSize, Duration queueTimeout, boolean adaptive, int adaptiveMinLimit) {
  public LimitConfig {
    Violations.of(LimitConfig.class, maxConnections, maxHeaderSize, maxRequestLine, maxHeaderCount,
            minRequestBodyRate, minRequestBodyRateGrace, maxConcurrent, queueSize, queueTimeout, adaptive,
            adaptiveMinLimit)
        .require(!adaptive || adaptiveMinLimit <= maxConcurrent, Key.LIMITS_ADAPTIVE_MIN_LIMIT, adaptiveMinLimit,
            "at most limits.maxConcurrent (" + maxConcurrent + ")", Key.LIMITS_MAX_CONCURRENT, Key.LIMITS_ADAPTIVE)
        .throwIfAny();
  }
}
