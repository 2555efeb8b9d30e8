package batcycle.accesslog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last few failed requests, newest first, for the admin status page: a fixed ring fed with the request-log
 * records of failures, so it keeps working when the request log is disabled, sampled or falling behind.
 * <p>
 * Thread-safe and lock-free: every event loop offers, the admin loop reads. A success costs a few field reads and
 * no allocation; a failure one small wrapper object. A reader may miss an entry being written at that instant,
 * never see a torn or stale one.
 */
public final class RecentFailures {
  /** How many failures the status page shows by default. */
  public static final int DEFAULT_CAPACITY = 50;

  /** A record with the sequence number it was stored under, so a reader can tell a lapped slot from a fresh one. */
  private record Slot(long sequence, AccessLogRecord record) {}

  private final int capacity;
  private final AtomicReferenceArray<Slot> slots;
  private final AtomicLong next = new AtomicLong();

  public RecentFailures(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.slots = new AtomicReferenceArray<>(capacity);
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Failed means the client did not get a whole answer from the app: a 5xx (the app's or batcycle's), no status
   * at all, or any response flag (a local reply such as a 400 for a malformed request, a reset, a timeout, a
   * client that went away).
   */
  public static boolean isFailure(AccessLogRecord record) {
    return record.status() >= 500 || record.status() == 0 || !record.flags().isEmpty();
  }

  /** Keeps {@code record} if it is a failure; ignores it otherwise. Never blocks. */
  public void offer(AccessLogRecord record) {
    if (isFailure(record)) {
      long sequence = next.getAndIncrement();
      slots.set((int) (sequence % capacity), new Slot(sequence, record));
    }
  }

  /** Failures seen since start (including those the ring no longer holds). */
  public long total() {
    return next.get();
  }

  /** The failures still held, newest first. */
  public List<AccessLogRecord> newestFirst() {
    long end = next.get();
    List<AccessLogRecord> out = new ArrayList<>((int) Math.min(end, capacity));
    for (long sequence = end - 1; sequence >= 0 && sequence >= end - capacity; sequence--) {
      Slot slot = slots.get((int) (sequence % capacity));
      // Null or older: the writer that took this number has not stored yet; newer: lapped while we read.
      if (slot != null && slot.sequence() == sequence) {
        out.add(slot.record());
      }
    }
    return out;
  }

  /** A sink that keeps failures here and passes every record on to {@code next}. */
  public AccessLogSink inFrontOf(AccessLogSink next) {
    return record -> {
      offer(record);
      next.offer(record);
    };
  }
}
