package batcycle.accesslog;

/** Where finished records go. Implementations must never block the caller (an event loop). */
@FunctionalInterface
public interface AccessLogSink {
  /** Hands one record over; may drop it (and count the drop) rather than wait. */
  void offer(AccessLogRecord record);
}
