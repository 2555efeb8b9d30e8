package batcycle.proxy;

import batcycle.pipeline.LoopScheduler;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timeouts of one event loop's requests (per attempt, and idle app bodies) on a single Netty timer. Almost
 * every request ends long before its timeout, so starting one is a list insertion and cancelling it an unlink;
 * the timer is armed for the earliest deadline only and, when it fires, runs what is due and re-arms for the rest.
 * A Netty task per timeout cost a scheduled task and its removal on every request.
 *
 * <p>Confined to its event loop: call it, and cancel what it returns, on that loop only ({@link #execute} excepted).
 */
final class LoopTimeouts implements LoopScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(LoopTimeouts.class);
  private final EventLoop loop;
  private final Entry pending = new Entry(0, null); // sentinel of a circular list, in order of creation
  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MAX_VALUE;

  LoopTimeouts(EventLoop loop) {
    this.loop = loop;
    pending.prev = pending;
    pending.next = pending;
  }

  EventLoop eventLoop() {
    return loop;
  }

  @Override
  public Timer schedule(long delayMs, Runnable action) {
    Entry entry = new Entry(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs), action);
    entry.prev = pending.prev;
    entry.next = pending;
    pending.prev.next = entry;
    pending.prev = entry;
    if (entry.deadline < timerDeadline) {
      arm(entry.deadline);
    }
    return entry;
  }

  private void arm(long deadline) {
    if (timer != null) {
      timer.cancel(false);
    }
    timerDeadline = deadline;
    timer = loop.schedule(this::fire, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void fire() {
    timer = null;
    timerDeadline = Long.MAX_VALUE;
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    List<Entry> due = new ArrayList<>();
    for (Entry entry = pending.next; entry != pending; entry = entry.next) {
      if (entry.deadline <= now) {
        due.add(entry);
      } else {
        next = Math.min(next, entry.deadline);
      }
    }
    if (next != Long.MAX_VALUE) {
      arm(next);
    }
    // Actions run after the list is settled: one may start or cancel other timeouts.
    for (Entry entry : due) {
      if (entry.unlink()) {
        try {
          entry.action.run();
        } catch (RuntimeException e) {
          // A bug in one action must not keep the others of this run from firing.
          LOG.error("a timeout action failed", e);
        }
      }
    }
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(task);
  }

  private static final class Entry implements Timer {
    private final long deadline;
    private final Runnable action;
    private Entry prev;
    private Entry next;

    Entry(long deadline, Runnable action) {
      this.deadline = deadline;
      this.action = action;
    }

    @Override
    public void cancel() {
      unlink();
    }

    /** True if it was still pending. */
    private boolean unlink() {
      if (prev == null) {
        return false;
      }
      prev.next = next;
      next.prev = prev;
      prev = null;
      next = null;
      return true;
    }
  }
}
