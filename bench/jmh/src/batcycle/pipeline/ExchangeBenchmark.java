package batcycle.pipeline;

import batcycle.jmh.StubRequest;
import batcycle.jmh.Traffic;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The baseline the other request benchmarks build on: one {@link Exchange}, as {@code ProxyVerticle.handle}
 * creates per request (with its two clock reads). Subtract it from {@code requestLayer}, {@code buildRecord} and
 * {@code requestHeaders} for what the layer itself costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExchangeBenchmark {
  private StubRequest request;
  private String requestId;

  @Setup
  public void setUp() {
    request = Traffic.get(Traffic.browserRequestHeaders());
    requestId = "3c1e5b0f9a7d4e2b8c6a1f0e9d8b7a6c";
  }

  @Benchmark
  public Exchange newExchange() {
    return new Exchange(request, requestId, System.nanoTime(), System.currentTimeMillis());
  }
}
