package batcycle.retry;

import batcycle.config.RetryConfig;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;

/**
 * Hides transient failures of the app by sending the request again, but only when that cannot do harm. A retry
 * needs all of: attempts left; a retryable failure (connect failure, reset, protocol error or per-try timeout
 * before the response head, or a configured status); an idempotent method or an Idempotency-Key, unless the
 * request certainly never reached the app (connect failure); a body that is untouched or fully recorded under
 * {@code retry.maxReplayBytes}; time left before the request deadline; and room in the shared retry budget.
 * Every "no" is counted by reason. A discarded response is aborted before the retry, and back-off waits on a
 * timer on the exchange's event loop (with jitter, capped; or the app's Retry-After, if short enough).
 *
 * <p>Inside the pipeline nothing has been written to the client yet, so a retry can never follow a response that
 * started flowing: once this layer hands a response on, it is final.
 */
public final class RetryLayer implements Layer {
  private final RetryConfig config;
  private final RetryBudget budget;
  private final IntervalFunction backoff;
  private final RetryMeters meters;

  public RetryLayer(RetryConfig config, RetryBudget budget, MeterRegistry registry) {
    this(config, budget, registry, Tags.empty());
  }

  /** {@code tags}: the request path's own ({@code direction}, {@code upstream}), on every meter. */
  public RetryLayer(RetryConfig config, RetryBudget budget, MeterRegistry registry, Tags tags) {
    this.config = config;
    this.budget = budget;
    long baseMs = config.backoffBase().toMillis();
    // resilience4j wants an interval of at least 1 ms; a base of 0 means "retry at once".
    this.backoff = baseMs < 1 ? null
        : IntervalFunction.ofExponentialRandomBackoff(baseMs, 2.0, 0.5, config.backoffMax().toMillis());
    this.meters = new RetryMeters(registry, tags);
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    budget.recordRequest();
    if (config.maxAttempts() <= 1) {
      return next.proceed(exchange);
    }
    return new RetryingExchange(exchange, next, config, budget, backoff, meters).start();
  }
}
