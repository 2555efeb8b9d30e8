package batcycle.proxy;

import batcycle.accesslog.AccessLogSink;
import batcycle.breaker.UpstreamCircuit;
import batcycle.headers.SensitiveHeaders;
import batcycle.limits.ConcurrencyLimiter;
import batcycle.metrics.ProxyMeters;
import batcycle.retry.RetryBudget;
import io.github.resilience4j.ratelimiter.RateLimiter;

/**
 * What every proxy event loop shares: meters, the request-log sink, the secret-header list, and the state the
 * resilience layers must see across loops (retry budget, circuit, concurrency permits, rate limiter or null).
 */
public record ProxyDeps(ProxyMeters meters, AccessLogSink accessLog, SensitiveHeaders sensitiveHeaders,
                        RetryBudget retryBudget, UpstreamCircuit circuit, ConcurrencyLimiter limiter,
                        RateLimiter rateLimiter) {}
