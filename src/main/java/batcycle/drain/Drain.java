package batcycle.drain;

import java.util.concurrent.atomic.AtomicBoolean;

/** Whether batcycle is draining for shutdown; readiness turns 503 as soon as it is. */
public final class Drain {
  private final AtomicBoolean draining = new AtomicBoolean();

  public boolean isDraining() {
    return draining.get();
  }

  /** Returns true on the first call only. */
  public boolean begin() {
    return draining.compareAndSet(false, true);
  }
}
