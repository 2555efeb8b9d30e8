package batcycle.testing;

import batcycle.lifecycle.DrainClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A drain clock the test moves by hand: the drain's delay ends when the test says so, never because the wall clock
 * ran on. Timers fire on the Vert.x context that asked for them, as real ones do. Thread-safe.
 */
public final class ManualDrainClock implements DrainClock {
  private record Timer(Vertx vertx, long dueNanos, Promise<Void> passed) { }

  private final List<Timer> timers = new ArrayList<>();
  private long nanos;

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Future<Void> after(Vertx vertx, long ms) {
    Timer timer = new Timer(vertx, nanos + Duration.ofMillis(ms).toNanos(), Promise.promise());
    timers.add(timer);
    return timer.passed().future();
  }

  /** Moves time on by {@code by}, firing every timer that is then due. */
  public void advance(Duration by) {
    List<Timer> due = new ArrayList<>();
    synchronized (this) {
      nanos += by.toNanos();
      timers.removeIf(timer -> timer.dueNanos() - nanos <= 0 && due.add(timer));
    }
    due.forEach(timer -> timer.vertx().runOnContext(v -> timer.passed().complete()));
  }

  /** Timers asked for and not yet fired, e.g. to see that the drain now waits for its delay. */
  public synchronized int pendingTimers() {
    return timers.size();
  }
}
