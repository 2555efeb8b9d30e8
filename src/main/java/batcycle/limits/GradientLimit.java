package batcycle.limits;

/**
 * A latency-gradient concurrency limit after Netflix concurrency-limits' Gradient2: compares each response's
 * latency with a slow-moving average of latencies. While latency stays near that average the limit grows (by
 * about its square root, smoothed); when latency rises above {@code TOLERANCE} times the average, queueing has
 * started in the app and the limit shrinks, by at most half per sample. A timed-out request cuts it by 10 %.
 * While fewer than half the permits are in use the limit does not grow: no evidence the app could take more.
 *
 * <p>Shared by every event loop; each update is a few arithmetic operations under the object's monitor.
 */
final class GradientLimit {
  private static final double TOLERANCE = 1.5;
  private static final double SMOOTHING = 0.2;
  private static final int LONG_WINDOW = 600;
  private final int min;
  private final int max;
  private double estimate;
  private double longRttNanos;
  private long samples;

  GradientLimit(int min, int max) {
    this.min = min;
    this.max = max;
    this.estimate = Math.min(max, Math.max(min, 20));
  }

  synchronized int limit() {
    return (int) estimate;
  }

  /** A response head arrived {@code rttNanos} after the permit was granted, with {@code inFlight} permits held. */
  synchronized int onSample(long rttNanos, int inFlight) {
    double rtt = Math.max(1, rttNanos);
    samples++;
    longRttNanos = samples == 1 ? rtt : longRttNanos + (rtt - longRttNanos) / Math.min(samples, LONG_WINDOW);
    if (longRttNanos / rtt > 2) {
      // Latency recovered after a long stretch of overload: let the average come down faster.
      longRttNanos *= 0.95;
    }
    if (inFlight < estimate / 2) {
      return (int) estimate;
    }
    double gradient = Math.max(0.5, Math.min(1.0, TOLERANCE * longRttNanos / rtt));
    double target = estimate * gradient + Math.sqrt(estimate);
    estimate = clamp(estimate * (1 - SMOOTHING) + target * SMOOTHING);
    return (int) estimate;
  }

  /** A request timed out: a strong sign of overload. */
  synchronized int onDrop() {
    estimate = clamp(estimate * 0.9);
    return (int) estimate;
  }

  private double clamp(double value) {
    return Math.max(min, Math.min(max, value));
  }
}
