package batcycle.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request timers by label combination and status code, found with two array reads. A map keyed by a boxed
 * number cost an allocation and a hash lookup on every request; each combination actually seen gets a row of
 * 1,000 slots (4 KiB), and only a few ever are.
 */
final class TimerTable {
  private static final int STATUSES = 1000;
  private final AtomicReferenceArray<AtomicReferenceArray<Timer>> rows;

  TimerTable(int labelCombinations) {
    rows = new AtomicReferenceArray<>(labelCombinations);
  }

  /** The timer for a combination and status, or null if none is kept (yet). */
  Timer get(int labels, int status) {
    AtomicReferenceArray<Timer> row = rows.get(labels);
    return row == null || !kept(status) ? null : row.get(status);
  }

  /**
   * Keeps {@code timer} unless another thread was first; returns the one kept. A status outside 0..999 is not
   * kept: the registry's own lookup finds its timer again each time, slower but correct for such an oddity.
   */
  Timer putIfAbsent(int labels, int status, Timer timer) {
    if (!kept(status)) {
      return timer;
    }
    AtomicReferenceArray<Timer> row = rows.get(labels);
    if (row == null) {
      rows.compareAndSet(labels, null, new AtomicReferenceArray<>(STATUSES));
      row = rows.get(labels);
    }
    return row.compareAndSet(status, null, timer) ? timer : row.get(status);
  }

  private static boolean kept(int status) {
    return status >= 0 && status < STATUSES;
  }
}
