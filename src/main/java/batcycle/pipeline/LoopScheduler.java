package batcycle.pipeline;

/**
 * Timers and tasks on the event loop an exchange belongs to. Whatever it runs, runs on that loop, so layers that
 * wait (back-off, queueing, start-up hold) touch their exchange from its own thread without locks.
 */
public interface LoopScheduler {
  /** A started timer; cancelling it after it ran, or twice, does nothing. Cancel on the loop only. */
  interface Timer {
    void cancel();
  }

  /** Runs {@code task} on the loop after {@code delayMs}, unless cancelled first. Call on the loop. */
  Timer schedule(long delayMs, Runnable task);

  /** Runs {@code task} on the loop soon; callable from any thread (a permit or probe completing elsewhere). */
  void execute(Runnable task);
}
