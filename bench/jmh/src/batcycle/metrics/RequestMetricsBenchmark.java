package batcycle.metrics;

import batcycle.config.BatcycleConfig;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What one request records in metrics, into the real Prometheus registry ({@link Metrics}: JVM and process
 * binders, exemplars) with the default {@code MetricsConfig} (latency buckets, no routes).
 * <p>
 * {@link #requestLayer}: a new {@link Exchange} through {@link RequestMetricsLayer#handle} (in-flight gauge, the
 * end callback) and {@link Exchange#end}, which records via {@link ProxyMeters#recordRequest}: the timer found by
 * its cached tag key (method, status, outcome, route) with its SLO histogram, the overhead timer, the response
 * bytes counter. {@code trace=traceparent} gives the exchange a sampled trace, so the recording goes through
 * {@link TraceExemplars} and the exemplar sampler as it does for clients that send a {@code traceparent}.
 * Subtract {@code ExchangeBenchmark.newExchange} for the metrics' own share.
 * <p>
 * {@link #attempt}: {@link ProxyMeters#recordAttempt}, what {@code Attempt} records once per attempt to the app.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestMetricsBenchmark {
  /** Latencies to record, cycled so the histogram sees several buckets as in real traffic (0.2–40 ms). */
  private static final long[] LATENCY_NANOS = latencies();
  /** batcycle's own time per request, about what bench/README's profile measured. */
  private static final long OWN_NANOS = 45_000;

  @Param({"none", "traceparent"})
  public String trace;

  private static final Future<UpstreamResponse> ANSWERED = Future.succeededFuture();
  private static final Next TERMINAL = exchange -> ANSWERED;

  private Metrics metrics;
  private ProxyMeters meters;
  private RequestMetricsLayer layer;
  private StubRequest request;
  private TraceContext traceContext;
  private Outcome outcome;
  private int next;

  @Setup
  public void setUp() {
    BatcycleConfig config = BatcycleConfig.defaults();
    metrics = new Metrics();
    meters = new ProxyMeters(metrics.registry(), metrics.exemplars(), config.metrics(),
        config.upstream().maxConnections());
    layer = new RequestMetricsLayer(meters);
    request = Traffic.get(Traffic.browserRequestHeaders());
    traceContext = "traceparent".equals(trace) ? TraceContext.parse(Traffic.TRACEPARENT) : null;
    outcome = new Outcome(200, 5120, true);
  }

  @TearDown
  public void tearDown() {
    if (meters.activeRequests().get() != 0) {
      throw new IllegalStateException("requests left in flight: " + meters.activeRequests().get());
    }
    metrics.close();
  }

  @Benchmark
  public void requestLayer(Blackhole bh) {
    long upstreamNanos = LATENCY_NANOS[next++ & (LATENCY_NANOS.length - 1)];
    // Started as long ago as the app took plus batcycle's own share, so both timers see realistic durations.
    Exchange exchange = new Exchange(request, "3c1e5b0f9a7d4e2b8c6a1f0e9d8b7a6c",
        System.nanoTime() - upstreamNanos - OWN_NANOS, System.currentTimeMillis());
    exchange.trace(traceContext);
    exchange.addUpstreamNanos(upstreamNanos);
    bh.consume(layer.handle(exchange, TERMINAL));
    exchange.end(outcome);
    bh.consume(exchange);
  }

  @Benchmark
  public void attempt() {
    meters.recordAttempt("success", LATENCY_NANOS[next++ & (LATENCY_NANOS.length - 1)], traceContext);
  }

  private static long[] latencies() {
    long[] out = new long[64];
    for (int i = 0; i < out.length; i++) {
      // Roughly log-spread from 0.2 ms to 40 ms, deterministic.
      out[i] = (long) (200_000 * Math.pow(200, ((i * 37) % 64) / 63.0));
    }
    return out;
  }
}
