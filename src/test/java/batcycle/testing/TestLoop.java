package batcycle.testing;

import batcycle.pipeline.LoopScheduler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A {@link LoopScheduler} for unit tests of layers, on the test thread: tasks run when the test says so, timers when
 * the test advances time. Nothing runs behind the test's back, so a test needs no waiting at all.
 */
public final class TestLoop implements LoopScheduler {
  private final List<Scheduled> timers = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();
  private long nowMs;

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    Scheduled timer = new Scheduled(nowMs + delayMs, task);
    timers.add(timer);
    return timer;
  }

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs the tasks handed over with {@link #execute}, including those they hand over in turn. */
  public void runTasks() {
    while (true) {
      List<Runnable> now;
      synchronized (this) {
        if (tasks.isEmpty()) {
          return;
        }
        now = new ArrayList<>(tasks);
        tasks.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  /** Moves time on by {@code ms}, firing every timer that falls due, in order, and the tasks they lead to. */
  public void advance(long ms) {
    long until = nowMs + ms;
    while (true) {
      runTasks();
      Scheduled next = null;
      for (Scheduled timer : timers) {
        if (timer.atMs <= until && (next == null || timer.atMs < next.atMs)) {
          next = timer;
        }
      }
      if (next == null) {
        break;
      }
      timers.remove(next);
      nowMs = next.atMs;
      next.task.run();
    }
    nowMs = until;
    runTasks();
  }

  /** Timers still pending. */
  public int pendingTimers() {
    return timers.size();
  }

  /** The delay of the earliest pending timer from now, or -1 if none. */
  public long nextDelayMs() {
    long best = -1;
    for (Iterator<Scheduled> it = timers.iterator(); it.hasNext(); ) {
      Scheduled timer = it.next();
      long delay = timer.atMs - nowMs;
      if (best < 0 || delay < best) {
        best = delay;
      }
    }
    return best;
  }

  private final class Scheduled implements Timer {
    private final long atMs;
    private final Runnable task;

    Scheduled(long atMs, Runnable task) {
      this.atMs = atMs;
      this.task = task;
    }

    @Override
    public void cancel() {
      timers.remove(this);
    }
  }
}
