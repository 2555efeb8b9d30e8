package batcycle.proxy;

import batcycle.accesslog.AccessLogSink;
import batcycle.drain.Drain;
import batcycle.breaker.UpstreamCircuit;
import batcycle.headers.SensitiveHeaders;
import batcycle.limits.ConcurrencyLimiter;
import batcycle.metrics.ProxyMeters;
import batcycle.retry.RetryBudget;
import batcycle.startup.AppProbe;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every proxy event loop shares: meters, the request-log sink, the secret-header list, the state the
 * resilience layers must see across loops (retry budget, circuit, concurrency permits, rate limiter or null), the
 * drain state, and the start-up probe of the app with the count of requests held for it.
 */
public record ProxyDeps(ProxyMeters meters, AccessLogSink accessLog, SensitiveHeaders sensitiveHeaders,
                        RetryBudget retryBudget, UpstreamCircuit circuit, ConcurrencyLimiter limiter,
                        RateLimiter rateLimiter, Drain drain, AppProbe appProbe, AtomicInteger heldAtStartup) {}
