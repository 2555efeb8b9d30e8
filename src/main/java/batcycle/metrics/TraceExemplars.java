package batcycle.metrics;

import batcycle.pipeline.TraceContext;
import io.micrometer.core.instrument.Timer;
import io.prometheus.metrics.tracer.common.SpanContext;
import java.util.concurrent.TimeUnit;

/**
 * Lets the Prometheus registry attach the current request's trace id as an exemplar. Prometheus asks for the
 * "current span" on the recording thread, so the trace is set around the one call that records it; event loops
 * record synchronously, so nothing leaks into another request.
 */
public final class TraceExemplars implements SpanContext {
  private final ThreadLocal<TraceContext> current = new ThreadLocal<>();

  /** Records {@code nanos} on {@code timer} with {@code trace} (may be null) as the exemplar source. */
  public void record(TraceContext trace, Timer timer, long nanos) {
    if (trace == null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    current.set(trace);
    try {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    } finally {
      current.remove();
    }
  }

  @Override
  public String getCurrentTraceId() {
    TraceContext trace = current.get();
    return trace == null ? null : trace.traceId();
  }

  @Override
  public String getCurrentSpanId() {
    TraceContext trace = current.get();
    return trace == null ? null : trace.spanId();
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return current.get() != null;
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    // Nothing to mark: batcycle does not export spans itself.
  }
}
