package batcycle.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Time as the drain counts its delay: the system's monotonic clock and Vert.x timers. A test passes one it moves by
 * hand, so a drain test waits for the delay to end as an event it causes, not for the wall clock to pass.
 */
public interface DrainClock {
  /** The system's: {@link System#nanoTime()} and {@link Vertx#setTimer}. */
  DrainClock SYSTEM = new DrainClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Future<Void> after(Vertx vertx, long ms) {
      Promise<Void> passed = Promise.promise();
      vertx.setTimer(Math.max(1, ms), id -> passed.complete());
      return passed.future();
    }
  };

  /** A monotonic reading in nanoseconds, like {@link System#nanoTime()}. */
  long nanoTime();

  /** Completes, on a context of {@code vertx}, once {@code ms} have passed on this clock. */
  Future<Void> after(Vertx vertx, long ms);
}
