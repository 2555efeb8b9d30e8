package batcycle.retry;

import batcycle.config.RetryConfig;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.LongSupplier;

/**
 * A retry budget in the spirit of Linkerd's: over a sliding window of one-second buckets, retries may reach
 * {@code ratio × requests + minPerSecond × window seconds}. Requests deposit, retries withdraw, so when the app
 * fails everything, retries add at most the ratio (plus the floor) to its load instead of multiplying it.
 *
 * <p>One budget serves every event loop. Calls are a few arithmetic operations under the object's monitor, held
 * for nanoseconds and never across I/O, which is cheaper and simpler than a lock-free ring here.
 */
public final class RetryBudget {
  private final LongSupplier nanoClock;
  // Replaced by a reload; every read and write is under the monitor.
  private double ratio;
  private double floor;
  private int windowSeconds;
  private long[] bucketSecond;
  private long[] requests;
  private long[] retries;

  public RetryBudget(RetryConfig config, MeterRegistry registry) {
    this(config, registry, Tags.empty(), System::nanoTime);
  }

  /** {@code tags}: the request path's own ({@code direction}, {@code upstream}), on the gauge. */
  public RetryBudget(RetryConfig config, MeterRegistry registry, Tags tags) {
    this(config, registry, tags, System::nanoTime);
  }

  public RetryBudget(RetryConfig config, MeterRegistry registry, LongSupplier nanoClock) {
    this(config, registry, Tags.empty(), nanoClock);
  }

  /** {@code nanoClock}: a monotonic clock in nanoseconds (tests pass a fake one). */
  public RetryBudget(RetryConfig config, MeterRegistry registry, Tags tags, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    reconfigure(config);
    Gauge.builder(MeterNames.RETRY_BUDGET_AVAILABLE, this, RetryBudget::available)
        .description("Retries the retry budget would allow right now").tags(tags).register(registry);
  }

  /**
   * New settings from a reload: the ratio and floor apply at once; a new window length starts counting afresh (the
   * buckets of the old one do not map onto it).
   */
  public synchronized void reconfigure(RetryConfig config) {
    int window = (int) config.budgetWindow().getSeconds();
    ratio = config.budgetRatio();
    floor = (double) config.budgetMinPerSecond() * window;
    if (window != windowSeconds) {
      windowSeconds = window;
      bucketSecond = new long[window];
      requests = new long[window];
      retries = new long[window];
      java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    }
  }

  /** Deposits one request (called once per request, not per attempt). */
  public synchronized void recordRequest() {
    requests[bucket(second())]++;
  }

  /** Withdraws one retry if the budget allows it; false means the retry must not be made. */
  public synchronized boolean tryAcquireRetry() {
    long now = second();
    if (sum(retries, now) + 1 > allowance(now)) {
      return false;
    }
    retries[bucket(now)]++;
    return true;
  }

  /** Retries the budget would allow now. */
  public synchronized double available() {
    long now = second();
    return Math.max(0, Math.floor(allowance(now) - sum(retries, now)));
  }

  private double allowance(long now) {
    return ratio * sum(requests, now) + floor;
  }

  private long second() {
    return Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
  }

  /** The bucket of {@code second}, emptied first if it still holds an older second. */
  private int bucket(long second) {
    int index = (int) Math.floorMod(second, (long) windowSeconds);
    if (bucketSecond[index] != second) {
      bucketSecond[index] = second;
      requests[index] = 0;
      retries[index] = 0;
    }
    return index;
  }

  private long sum(long[] counts, long now) {
    long total = 0;
    for (int i = 0; i < windowSeconds; i++) {
      if (bucketSecond[i] > now - windowSeconds) {
        total += counts[i];
      }
    }
    return total;
  }
}
