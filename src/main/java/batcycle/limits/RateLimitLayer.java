package batcycle.limits;

import batcycle.config.RateLimitConfig;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * An optional local rate limit, all clients together: {@code rateLimit.limit} requests per
 * {@code rateLimit.period} (resilience4j's lock-free {@link AtomicRateLimiter}, asked with a zero timeout so it
 * never waits); beyond it, 429 with Retry-After until the next period.
 */
public final class RateLimitLayer implements Layer {
  private final RateLimiter limiter;
  private final Duration period;

  /** {@code limiter}: shared by every event loop, made by {@link #limiter}. */
  public RateLimitLayer(RateLimiter limiter) {
    this.limiter = limiter;
    this.period = limiter.getRateLimiterConfig().getLimitRefreshPeriod();
  }

  /** The shared limiter for {@code config}, which must be enabled. */
  public static RateLimiter limiter(RateLimitConfig config) {
    return limiter(config, null);
  }

  /** With {@code nanoClock} (tests), or the system's when null. */
  static RateLimiter limiter(RateLimitConfig config, Supplier<Long> nanoClock) {
    RateLimiterConfig policy = RateLimiterConfig.custom()
        .limitForPeriod(config.limit())
        .limitRefreshPeriod(config.period())
        .timeoutDuration(Duration.ZERO) // never park an event loop waiting for a permit
        .writableStackTraceEnabled(false)
        .build();
    return nanoClock == null ? RateLimiter.of("requests", policy)
        : new AtomicRateLimiter("requests", policy, java.util.Map.of(), nanoClock);
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (limiter.acquirePermission()) {
      return next.proceed(exchange);
    }
    return Future.failedFuture(ProxyFailure.retryLater(FailureKind.RATE_LIMITED, "more than " + limiter.getRateLimiterConfig().getLimitForPeriod()
        + " requests in " + period.toMillis() + " ms", retryAfterSeconds()));
  }

  private long retryAfterSeconds() {
    long nanos = limiter instanceof AtomicRateLimiter atomic
        ? atomic.getDetailedMetrics().getNanosToWait() : period.toNanos();
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
