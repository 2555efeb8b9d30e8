package batcycle.testing;

import batcycle.accesslog.AccessLogRecord;
import batcycle.accesslog.AccessLogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects request-log records in memory, so tests can assert on every field. */
public final class InMemoryAccessLog implements AccessLogSink {
  private final List<AccessLogRecord> records = new CopyOnWriteArrayList<>();

  @Override
  public void offer(AccessLogRecord record) {
    records.add(record);
  }

  public List<AccessLogRecord> records() {
    return List.copyOf(records);
  }

  /** The record of the request with this id; fails if there is none. */
  public AccessLogRecord byRequestId(String requestId) {
    return records.stream().filter(r -> requestId.equals(r.requestId())).findFirst()
        .orElseThrow(() -> new AssertionError("no request-log record for " + requestId + " in " + records));
  }
}
