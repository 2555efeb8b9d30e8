package batcycle.config;

import java.time.Duration;

/**
 * Load shedding in front of the app: a cap on concurrent requests with a small bounded queue, optionally adapted
 * to the app's latency.
 *
 * @param maxConcurrent    the cap (with {@code adaptive}, the highest the adaptive limit may go)
 * @param queueSize        requests that may wait for a permit; 0 sheds at once
 * @param queueTimeout     the longest wait in the queue
 * @param adaptive         adapt the limit to latency (gradient algorithm)
 * @param adaptiveMinLimit the lowest the adaptive limit goes
 */
public record LimitConfig(int maxConcurrent, int queueSize, Duration queueTimeout, boolean adaptive,
                          int adaptiveMinLimit) {}
