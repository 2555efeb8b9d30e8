package batcycle.accesslog;

import batcycle.config.AccessLogConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;

/**
 * The request log on stdout as {@code accessLog.enabled} and {@code accessLog.format} say, which a reload may change:
 * the writer thread starts when the log is first switched on (none runs while it is off) and takes the new format
 * with its next batch. The queue size is the start's.
 */
public final class SwitchedAccessLog implements AccessLogSink, AutoCloseable {
  private final OutputStream stream;
  private final int queueSize;
  private final MeterRegistry registry;
  private volatile StreamAccessLogSink writer;
  private volatile boolean enabled;

  public SwitchedAccessLog(OutputStream stream, AccessLogConfig config, MeterRegistry registry) {
    this.stream = stream;
    this.queueSize = config.queueSize();
    this.registry = registry;
    apply(config);
  }

  /** Switches the log on or off and sets its format; from one thread at a time (start-up, then reloads). */
  public void apply(AccessLogConfig config) {
    AccessLogFormat format = AccessLogFormat.of(config.format());
    if (config.enabled() && writer == null) {
      writer = new StreamAccessLogSink(stream, format, queueSize, registry);
    } else if (writer != null) {
      writer.format(format);
    }
    enabled = config.enabled();
  }

  @Override
  public void offer(AccessLogRecord record) {
    if (enabled) {
      writer.offer(record);
    }
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
