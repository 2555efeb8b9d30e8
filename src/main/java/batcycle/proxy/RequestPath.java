package batcycle.proxy;

import batcycle.accesslog.AccessLogLayer;
import batcycle.accesslog.AccessLogSink;
import batcycle.breaker.CircuitBreakerLayer;
import batcycle.breaker.UpstreamCircuit;
import batcycle.config.BatcycleConfig;
import batcycle.config.RateLimitConfig;
import batcycle.deadline.DeadlineLayer;
import batcycle.drain.Drain;
import batcycle.drain.DrainLayer;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.headers.ResponseHeaders;
import batcycle.headers.SensitiveHeaders;
import batcycle.limits.ConcurrencyLimitLayer;
import batcycle.limits.ConcurrencyLimiter;
import batcycle.limits.RateLimitLayer;
import batcycle.metrics.ProxyMeters;
import batcycle.metrics.RequestMetricsLayer;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.Pipeline;
import batcycle.retry.RetryBudget;
import batcycle.retry.RetryLayer;
import batcycle.startup.AppProbe;
import batcycle.startup.StartupGate;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What happens to a request, in one place: the layers every request passes through, in the order it meets them,
 * and the state they share across event loops (one retry budget, one circuit, one set of permits for the one app).
 * {@link #pipeline} is the whole chain on one screen; each layer gets only what it uses.
 */
public final class RequestPath {
  private final ProxyMeters meters;
  private final AccessLogSink accessLog;
  private final Drain drain;
  private final AppProbe appProbe;
  private final AtomicInteger heldAtStartup = new AtomicInteger();
  private final RetryBudget retryBudget;
  private final UpstreamCircuit circuit;
  private final ConcurrencyLimiter limiter;
  /** resilience4j fixes a limiter's period, so a reload that changes rateLimit makes a new one; null when off. */
  private volatile RateLimiter rateLimiter;
  private volatile RateLimitConfig rateLimit;

  public RequestPath(BatcycleConfig config, ProxyMeters meters, AccessLogSink accessLog, Drain drain,
                     AppProbe appProbe) {
    this.meters = meters;
    this.accessLog = accessLog;
    this.drain = drain;
    this.appProbe = appProbe;
    this.retryBudget = new RetryBudget(config.retry(), meters.registry());
    this.circuit = new UpstreamCircuit(config.breaker(), meters.registry());
    this.limiter = new ConcurrencyLimiter(config.limits(), meters.registry());
    this.rateLimit = config.rateLimit();
    this.rateLimiter = rateLimit.enabled() ? RateLimitLayer.limiter(rateLimit) : null;
  }

  /**
   * A reload: the state shared by every event loop takes the new settings (permits, budget and circuit keep what
   * they hold: in-flight requests return their permits to the same limiter), before each loop builds its new
   * pipeline with {@link #pipeline}. Call from one thread at a time.
   */
  public void reconfigure(BatcycleConfig next) {
    retryBudget.reconfigure(next.retry());
    circuit.reconfigure(next.breaker());
    limiter.reconfigure(next.limits());
    meters.routes(next.metrics().routes());
    if (!next.rateLimit().equals(rateLimit)) {
      rateLimiter = next.rateLimit().enabled() ? RateLimitLayer.limiter(next.rateLimit()) : null;
      rateLimit = next.rateLimit();
    }
  }

  /**
   * The layers of {@code config}, outermost first, ending in {@code terminal}; the order is the design, so each says
   * why. Built per event loop, and again on each loop after a reload.
   */
  Pipeline pipeline(BatcycleConfig config, Next terminal) {
    List<Layer> layers = new ArrayList<>();
    RateLimiter rateLimiter = this.rateLimiter;
    // Outermost: the log sees rejections too, and the metrics count everything the log sees.
    layers.add(new AccessLogLayer(config.accessLog(), accessLog,
        new SensitiveHeaders(config.accessLog().secretHeaders())));
    layers.add(new RequestMetricsLayer(meters));
    layers.add(new RequestPreparation(config.observability().startTraces(), config.upstream().protocol(),
        config.limits().maxHeaderCount()));
    // Counts from arrival, so it bounds the queue wait below too; strips the client's X-Batcycle-Timeout.
    layers.add(new DeadlineLayer(config.deadline()));
    // Before the limits: draining is not overload. It only marks responses to close their connection.
    layers.add(new DrainLayer(drain));
    // Before anything that holds capacity the app's other clients need (a held place at start-up, a permit, a
    // connection): a slow body is read ahead while it holds none of them.
    layers.add(new RequestBuffering(config.clientPace().requestBodyBuffer(), config.upstream().protocol()));
    // After validation (bad requests are answered at once), before anything that talks to the app.
    layers.add(new StartupGate(appProbe, config.lifecycle(), heldAtStartup));
    if (rateLimiter != null) {
      layers.add(new RateLimitLayer(rateLimiter)); // before the limit: refused requests hold no permit
    }
    // Per request, not per attempt: retries of one request share its permit, and the budget bounds their number.
    layers.add(new ConcurrencyLimitLayer(limiter, config.limits().queueTimeout()));
    layers.add(new ForwardedHeadersLayer(config.headers(), config.upstream())); // once per request, not per attempt
    // Wraps the breaker: every attempt is recorded by it, and an open circuit is never retried.
    layers.add(new RetryLayer(config.retry(), retryBudget, meters.registry()));
    if (config.breaker().enabled()) {
      layers.add(new CircuitBreakerLayer(circuit));
    }
    return Pipeline.of(terminal, layers.toArray(Layer[]::new));
  }

  ProxyMeters meters() {
    return meters;
  }

  ResponseHeaders responseHeaders(BatcycleConfig config) {
    return new ResponseHeaders(config.headers());
  }

  /** The circuit on the app, for readiness and the status page. */
  public UpstreamCircuit circuit() {
    return circuit;
  }
}
