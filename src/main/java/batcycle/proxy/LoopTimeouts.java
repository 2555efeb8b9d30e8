package batcycle.proxy;

import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one event loop's requests (per attempt, and idle app bodies) on a single Netty timer. Almost
 * every request ends long before its timeout, so starting one is a list insertion and cancelling it an unlink;
 * the timer is armed for the earliest deadline only and, when it fires, runs what is due and re-arms for the rest.
 * A Vert.x timer per timeout cost a registry entry, a scheduled task and their removal on every request.
 *
 * <p>Confined to its event loop: call it, and cancel what it returns, on that loop only.
 */
final class LoopTimeouts {
  /** A started timeout; cancelling it after it ran, or twice, does nothing. */
  interface Timeout {
    void cancel();
  }

  private final ContextInternal context;
  private final EventLoop loop;
  private final Entry pending = new Entry(0, null); // sentinel of a circular list, in order of creation
  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MAX_VALUE;

  /** {@code context}: the event-loop context whose requests these are; actions run on it, as a Vert.x timer's do. */
  LoopTimeouts(ContextInternal context) {
    this.context = context;
    this.loop = context.nettyEventLoop();
    pending.prev = pending;
    pending.next = pending;
  }

  /** Runs {@code action} on this loop after {@code delayMs}, unless cancelled first. */
  Timeout start(long delayMs, Runnable action) {
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
    timer = loop.schedule(() -> context.dispatch(this::fire), Math.max(0, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
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
        entry.action.run();
      }
    }
  }

  private static final class Entry implements Timeout {
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
