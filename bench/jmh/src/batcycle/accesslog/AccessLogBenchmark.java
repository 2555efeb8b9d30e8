package batcycle.accesslog;

import batcycle.config.AccessLogConfig;
import batcycle.config.BatcycleConfig;
import batcycle.headers.SensitiveHeaders;
import batcycle.headers.TraceContext;
import batcycle.jmh.StubRequest;
import batcycle.jmh.Traffic;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The request log's work for one request, with the default configuration ({@code AccessLogConfig}: every request
 * logged, query stripped, no extra headers).
 * <p>
 * {@link #buildRecord}, on the event loop: a new {@link Exchange} through {@link AccessLogLayer#handle} and
 * {@link Exchange#end}: sampling and path exclusion, the {@link AccessLogRecord} built from the exchange, offered to
 * {@link RecentFailures#inFrontOf} a sink that keeps it (production: the bounded queue of
 * {@link StreamAccessLogSink}, whose {@code offer} is not measured). Subtract {@code ExchangeBenchmark.newExchange}
 * for the log's own share.
 * <p>
 * {@link #encode}, on the log writer thread: {@link AccessLogFormat#encode(AccessLogRecord, StringBuilder)} of one
 * such record into a reused builder, plus the newline, as {@link StreamAccessLogSink} does per record. Its batch
 * write (a String copy of the batch and UTF-8 encoding, about one line's length in bytes per record) is not included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBenchmark {
  private static final Future<UpstreamResponse> ANSWERED = Future.succeededFuture();
  private static final Next TERMINAL = exchange -> ANSWERED;
  /** The app took 3.1 ms; batcycle added 45 µs (about the profile's CPU per request). */
  private static final long UPSTREAM_NANOS = 3_100_000;
  private static final long TOTAL_NANOS = UPSTREAM_NANOS + 45_000;

  private AccessLogLayer layer;
  private StubRequest request;
  private TraceContext traceContext;
  private Outcome outcome;
  private AccessLogRecord last;

  @Setup
  public void setUp() {
    AccessLogConfig config = BatcycleConfig.defaults().accessLog();
    RecentFailures failures = new RecentFailures(RecentFailures.DEFAULT_CAPACITY);
    layer = new AccessLogLayer(config, failures.inFrontOf(record -> last = record),
        new SensitiveHeaders(config.secretHeaders()));
    request = Traffic.get(Traffic.browserRequestHeaders());
    traceContext = TraceContext.parse(Traffic.TRACEPARENT);
    outcome = new Outcome(200, 5120, true);
    last = null;
    oneRequest();
    if (last == null || last.status() != 200 || failures.total() != 0) {
      throw new IllegalStateException("expected one logged success, got " + last);
    }
  }

  @Benchmark
  public void buildRecord(Blackhole bh) {
    bh.consume(oneRequest());
    bh.consume(last);
  }

  private Exchange oneRequest() {
    Exchange exchange = new Exchange(request, "3c1e5b0f9a7d4e2b8c6a1f0e9d8b7a6c", System.nanoTime() - TOTAL_NANOS,
        System.currentTimeMillis());
    exchange.trace(traceContext);
    exchange.beginAttempt();
    exchange.upstreamStatus(200);
    exchange.addUpstreamNanos(UPSTREAM_NANOS);
    layer.handle(exchange, TERMINAL);
    exchange.end(outcome);
    return exchange;
  }

  /** One realistic record, encoded as the log writer does. */
  @State(Scope.Benchmark)
  public static class Encoding {
    @Param({"JSON", "TEXT"})
    public AccessLogFormat format;

    AccessLogRecord record;
    final StringBuilder lines = new StringBuilder(64 * 1024);

    @Setup
    public void setUp(AccessLogBenchmark requests) {
      record = requests.last;
    }
  }

  @Benchmark
  public StringBuilder encode(Encoding encoding) {
    StringBuilder lines = encoding.lines;
    lines.setLength(0);
    encoding.format.encode(encoding.record, lines);
    lines.append('\n');
    return lines;
  }
}
