package batcycle.admin;

import io.vertx.core.Future;

/** What the admin port may ask of the running batcycle. */
public interface AdminActions {
  /** Drain, close, then whatever follows a stop (the process exits). */
  Future<Void> stop(String why);

  /** Begin draining without stopping; completes once clients have had the drain delay to move away. */
  Future<Void> prestop();
}
