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
import batcycle.config.OutboundConfig;
import batcycle.metrics.MeterNames;
import batcycle.metrics.ProxyMeters;
import batcycle.upstream.NameResolution;
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
 * and the state they share across event loops (one retry budget, one circuit, one set of permits, one
 * {@link Upstream} for the one upstream). {@link #pipeline} is the whole chain on one screen; each layer gets only
 * what it uses. There is one path inbound (clients to the app) and one per outbound entry (the app to a remote):
 * the same layers with the entry's settings, except what only makes sense one way.
 */
public final class RequestPath {
  private final String direction;
  private final String name;
  private final Upstream upstream;
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

  /** The inbound path, to the app. */
  public RequestPath(BatcycleConfig config, ProxyMeters meters, AccessLogSink accessLog, Drain drain,
                     AppProbe appProbe) {
    this(config, MeterNames.DIRECTION_INBOUND, MeterNames.UPSTREAM_APP, Upstream.app(config, meters), meters, accessLog, drain,
        appProbe);
  }

  /**
   * The path of one outbound entry, to its remote; {@code drain} is its own (outbound listeners close last). Fails
   * with a {@link batcycle.config.ConfigException} if its TLS files cannot be used.
   */
  public static RequestPath outbound(OutboundConfig entry, ProxyMeters meters, AccessLogSink accessLog, Drain drain,
                                     NameResolution dns) {
    return new RequestPath(entry.settings(), MeterNames.DIRECTION_OUTBOUND, entry.name(), Upstream.remote(entry, dns, meters),
        meters, accessLog, drain, null);
  }

  private RequestPath(BatcycleConfig config, String direction, String name, Upstream upstream, ProxyMeters meters,
                      AccessLogSink accessLog, Drain drain, AppProbe appProbe) {
    this.direction = direction;
    this.name = name;
    this.upstream = upstream;
    this.meters = meters;
    this.accessLog = accessLog;
    this.drain = drain;
    this.appProbe = appProbe;
    this.retryBudget = new RetryBudget(config.retry(), meters.registry(), meters.tags());
    this.circuit = new UpstreamCircuit(config.breaker(), meters.registry(), meters.tags());
    this.limiter = new ConcurrencyLimiter(config.limits(), meters.registry(), meters.tags());
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
        new SensitiveHeaders(config.accessLog().secretHeaders()), direction, name));
    layers.add(new RequestMetricsLayer(meters));
    // Outbound with tracing on, batcycle's own span continues the app's trace to the remote.
    layers.add(new RequestPreparation(config.observability().startTraces(), upstream.mode() == Upstream.Mode.H2,
        isOutbound(), config.limits().maxHeaderCount()));
    // Counts from arrival, so it bounds the queue wait below too; strips the client's X-Batcycle-Timeout.
    layers.add(new DeadlineLayer(config.deadline()));
    // Before the limits: draining is not overload. It only marks responses to close their connection.
    layers.add(new DrainLayer(drain));
    // Before anything that holds capacity the upstream's other clients need (a held place at start-up, a permit, a
    // connection): a slow body is read ahead while it holds none of them.
    layers.add(new RequestBuffering(config.clientPace().requestBodyBuffer(), upstream.mode() != Upstream.Mode.HTTP1));
    if (appProbe != null) {
      // After validation (bad requests are answered at once), before anything that talks to the app.
      layers.add(new StartupGate(appProbe, config.lifecycle(), heldAtStartup));
    }
    if (rateLimiter != null) {
      layers.add(new RateLimitLayer(rateLimiter)); // before the limit: refused requests hold no permit
    }
    // Per request, not per attempt: retries of one request share its permit, and the budget bounds their number.
    layers.add(new ConcurrencyLimitLayer(limiter, config.limits().queueTimeout()));
    if (!isOutbound()) {
      layers.add(new ForwardedHeadersLayer(config.headers(), config.upstream())); // once per request, not per attempt
    } else if (config.headers().via()) {
      // X-Forwarded-* describe a client to the app; a remote gets no word of the pod's loopback. Via it may get.
      layers.add(ForwardedHeadersLayer.viaOnly());
    }
    // Wraps the breaker: every attempt is recorded by it, and an open circuit is never retried.
    layers.add(new RetryLayer(config.retry(), retryBudget, meters.registry(), meters.tags()));
    if (config.breaker().enabled()) {
      layers.add(new CircuitBreakerLayer(circuit));
    }
    return Pipeline.of(terminal, layers.toArray(Layer[]::new));
  }

  public ProxyMeters meters() {
    return meters;
  }

  Upstream upstream() {
    return upstream;
  }

  private boolean isOutbound() {
    return MeterNames.DIRECTION_OUTBOUND.equals(direction);
  }

  /** {@code inbound}, or {@code outbound}. */
  public String direction() {
    return direction;
  }

  /** {@code app} inbound, the entry's name outbound. */
  public String name() {
    return name;
  }

  /** Starts resolving the upstream's names (an outbound remote's); the app's address needs none. */
  public void start() {
    upstream.start();
  }

  /** Stops resolving names. */
  public void close() {
    upstream.close();
  }

  /** The upstream's addresses and their health. */
  public batcycle.upstream.EndpointSet endpoints() {
    return upstream.endpoints();
  }

  ResponseHeaders responseHeaders(BatcycleConfig config) {
    return new ResponseHeaders(config.headers());
  }

  /** The circuit on the app, for readiness and the status page. */
  public UpstreamCircuit circuit() {
    return circuit;
  }
}
