package batcycle.headers;

import batcycle.jmh.Traffic;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Request ids and W3C trace context, once per request.
 * <p>
 * {@link #generateId}: {@link RequestIds#keepOrGenerate} without a client id (a new 128-bit id).
 * {@link #keepClientId}: the same with a valid client {@code X-Request-Id} (validated, kept).
 * {@link #parseTraceparent}: {@link TraceContext#parse} of a valid sampled header.
 * {@link #startTrace}: {@link TraceContext#start} and {@link TraceContext#header}, what
 * {@code tracing.startTraces: true} adds to a request without a trace (off by default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestIdBenchmark {
  // Non-final fields: the JIT cannot fold what it reads from them.
  private String clientId = Traffic.CLIENT_REQUEST_ID;
  private String traceparent = Traffic.TRACEPARENT;
  private String absent = null;

  @Benchmark
  public String generateId() {
    return RequestIds.keepOrGenerate(absent);
  }

  @Benchmark
  public String keepClientId() {
    return RequestIds.keepOrGenerate(clientId);
  }

  @Benchmark
  public TraceContext parseTraceparent() {
    return TraceContext.parse(traceparent);
  }

  @Benchmark
  public String startTrace() {
    return TraceContext.start(true).header();
  }
}
