package batcycle.admin;

import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request totals, read from the registry once a second and kept for five minutes, from which the status page
 * gets its recent rate, error ratio and latency percentiles and its sparklines. Reading happens on the admin event
 * loop, never on the request path; the proxy only ever updates its timers.
 * <p>
 * Percentiles come from the latency histogram's buckets ({@code metrics.latencyBuckets}) by linear interpolation
 * within a bucket, as Prometheus' {@code histogram_quantile} does: as coarse as the buckets, and the same numbers a
 * dashboard would show. Not thread-safe: confined to the admin event loop.
 */
final class TrafficHistory {
  /** Seconds of history kept, one sample a second. */
  static final int SECONDS = 300;
  /** Seconds per sparkline point. */
  static final int STEP_SECONDS = 5;

  /**
   * Cumulative totals at one instant. {@code buckets[i]} counts requests that took at most the i-th bucket bound;
   * {@code byClass[0]} counts requests with no status, {@code byClass[1..5]} 1xx to 5xx.
   */
  record Sample(long atMillis, long requests, long errors, long retries, long[] buckets, long[] byClass,
                Map<String, Long> byOutcome) {}

  /** What happened between two samples; rates per second, latencies in milliseconds, null when undefined. */
  record Window(long fromMillis, long toMillis, long requests, long errors, long retries, Double rate,
                Double errorRatio, Double p50Ms, Double p99Ms) {}

  /** The inbound path's tags. */
  static final Tags INBOUND = Tags.of(MeterNames.TAG_DIRECTION, MeterNames.DIRECTION_INBOUND);

  private final MeterRegistry registry;
  private final Tags path;
  private final long[] boundsNanos;
  private final Sample[] ring = new Sample[SECONDS + 1];
  private int size;
  private int newest = -1;

  TrafficHistory(MeterRegistry registry, List<Duration> latencyBuckets) {
    this(registry, latencyBuckets, INBOUND);
  }

  /** {@code path}: the tags of the request path to follow (inbound, or one outbound entry). */
  TrafficHistory(MeterRegistry registry, List<Duration> latencyBuckets, Tags path) {
    this.registry = registry;
    this.path = path;
    this.boundsNanos = latencyBuckets.stream().mapToLong(Duration::toNanos).sorted().toArray();
  }

  /** The largest bucket bound in milliseconds: a percentile at this value means "this or slower". */
  double latencyCapMs() {
    return boundsNanos.length == 0 ? 0 : boundsNanos[boundsNanos.length - 1] / 1e6;
  }

  /** Reads the registry now and keeps the result; called once a second. */
  Sample record(long nowMillis) {
    Sample sample = read(nowMillis);
    newest = (newest + 1) % ring.length;
    ring[newest] = sample;
    size = Math.min(size + 1, ring.length);
    return sample;
  }

  /** Reads the registry now without keeping the result. */
  Sample read(long nowMillis) {
    long requests = 0;
    long errors = 0;
    long[] buckets = new long[boundsNanos.length];
    long[] byClass = new long[6];
    Map<String, Long> byOutcome = new TreeMap<>();
    for (Timer timer : registry.find(MeterNames.REQUESTS).tags(path).timers()) {
      HistogramSnapshot snapshot = timer.takeSnapshot();
      long count = snapshot.count();
      int status = status(timer.getId());
      String outcome = timer.getId().getTag(MeterNames.TAG_OUTCOME);
      requests += count;
      if (status >= 500 || MeterNames.OUTCOME_ABORTED.equals(outcome)) {
        errors += count;
      }
      byClass[status >= 100 && status <= 599 ? status / 100 : 0] += count;
      byOutcome.merge(outcome == null ? "unknown" : outcome, count, Long::sum);
      for (CountAtBucket bucket : snapshot.histogramCounts()) {
        int i = Arrays.binarySearch(boundsNanos, Math.round(bucket.bucket()));
        if (i >= 0) {
          buckets[i] += (long) bucket.count(); // cumulative: counts every request at or below the bound
        }
      }
    }
    long retries = 0;
    for (Meter meter : registry.find(MeterNames.RETRIES).tags(path).meters()) {
      retries += (long) StatusStats.countOf(meter);
    }
    return new Sample(nowMillis, requests, errors, retries, buckets, byClass, byOutcome);
  }

  private static int status(Meter.Id id) {
    String status = id.getTag(MeterNames.TAG_STATUS);
    try {
      return status == null ? 0 : Integer.parseInt(status);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The oldest kept sample taken at or after {@code millis}, or the oldest kept; null if none was kept yet. */
  Sample since(long millis) {
    Sample found = null;
    for (int back = 0; back < size; back++) {
      Sample s = ring[Math.floorMod(newest - back, ring.length)];
      if (s.atMillis() < millis) {
        break;
      }
      found = s;
    }
    return found != null ? found : oldest();
  }

  private Sample oldest() {
    return size == 0 ? null : ring[Math.floorMod(newest - size + 1, ring.length)];
  }

  /**
   * Sparkline points, oldest first: one per {@link #STEP_SECONDS} of kept history, ending at the newest sample; the
   * oldest may cover less (a young process still gets a point).
   */
  List<Window> series() {
    List<Window> points = new ArrayList<>(SECONDS / STEP_SECONDS);
    for (int back = 0; back < size - 1; back += STEP_SECONDS) {
      Sample newer = ring[Math.floorMod(newest - back, ring.length)];
      Sample older = ring[Math.floorMod(newest - Math.min(back + STEP_SECONDS, size - 1), ring.length)];
      points.add(between(older, newer));
    }
    java.util.Collections.reverse(points);
    return points;
  }

  /** What happened from {@code older} to {@code newer}. */
  Window between(Sample older, Sample newer) {
    // Counters only grow; clamp anyway, so a meter removed and re-registered never yields a negative rate.
    long requests = Math.max(0, newer.requests() - older.requests());
    long errors = Math.min(requests, Math.max(0, newer.errors() - older.errors()));
    long retries = Math.max(0, newer.retries() - older.retries());
    long[] buckets = new long[boundsNanos.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = Math.max(0, newer.buckets()[i] - older.buckets()[i]);
    }
    double seconds = Math.max(1, newer.atMillis() - older.atMillis()) / 1000.0;
    return new Window(older.atMillis(), newer.atMillis(), requests, errors, retries, requests / seconds,
        requests == 0 ? null : (double) errors / requests,
        quantileMs(0.5, buckets, requests), quantileMs(0.99, buckets, requests));
  }

  /**
   * The q-quantile in milliseconds of {@code total} requests whose cumulative bucket counts are {@code buckets};
   * null without requests; the largest bound if the quantile lies beyond it.
   */
  Double quantileMs(double q, long[] buckets, long total) {
    if (total == 0 || boundsNanos.length == 0) {
      return null;
    }
    double rank = q * total;
    long belowCount = 0;
    long belowBound = 0;
    for (int i = 0; i < boundsNanos.length; i++) {
      if (buckets[i] >= rank && buckets[i] > belowCount) {
        double fraction = (rank - belowCount) / (buckets[i] - belowCount);
        return (belowBound + (boundsNanos[i] - belowBound) * fraction) / 1e6;
      }
      belowCount = buckets[i];
      belowBound = boundsNanos[i];
    }
    return latencyCapMs();
  }
}
