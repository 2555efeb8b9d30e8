package batcycle.warmup;

import batcycle.accesslog.AccessLogFormat;
import batcycle.accesslog.AccessLogSink;
import batcycle.accesslog.StreamAccessLogSink;
import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.drain.Drain;
import batcycle.metrics.ProxyMeters;
import batcycle.metrics.TraceExemplars;
import batcycle.proxy.LoopGroup;
import batcycle.proxy.ProxyServer;
import batcycle.proxy.RequestPath;
import batcycle.startup.AppProbe;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.transport.Transport;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the request path up before batcycle reports ready. A fresh JVM interprets the proxy's code and needs tens
 * of thousands of requests before the JIT has compiled it: a pod taking real traffic in that state serves a
 * fraction of its steady rate for seconds (bench/README.md measures it). So, on the same event loops and with the
 * same settings, a private copy of the proxy (its own listener on 127.0.0.1, its own meters and request log, both
 * thrown away) forwards synthetic requests to a stub app inside batcycle — the user's app never sees one — until the
 * compilers go quiet or {@code startup.warmup} has passed. The real proxy serves from the start; only readiness
 * waits, which is what keeps a Kubernetes Service from sending traffic to a cold pod.
 */
public final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** A proxy that fails this many synthetic requests is not being warmed: give up rather than spin. */
  private static final long MAX_FAILURES = 1_000;
  private static final long CHECK_MS = 250;

  /** What the warm-up did, and what ended it. */
  public record Result(long requests, long failures, long uploadsCut, Duration took, Duration cpu, String endedBy) {}

  private final Vertx vertx;
  /** The real proxy's loops: the stub and the synthetic clients run there too, as they would compete in a pod. */
  private final LoopGroup loops;
  private final Transport transport;
  private final Promise<Result> done = Promise.promise();
  private final JitActivity jit = new JitActivity();
  private final long startNanos = System.nanoTime();
  private final long startCpuNanos = processCpuNanos();
  private final long startCompileMs = jit.totalCompileMs();
  private volatile boolean stopping;
  private long timer = -1;
  private StubApp stub;
  private ProxyServer proxy;
  private PrometheusMeterRegistry registry;
  private StreamAccessLogSink accessLog;
  private volatile WarmupLoad load;

  private Warmup(Vertx vertx, List<EventLoop> eventLoops, Transport transport) {
    this.vertx = vertx;
    this.loops = new LoopGroup(eventLoops);
    this.transport = transport;
  }

  /**
   * Starts warming up on {@code eventLoops} (the real proxy's) for at most {@code config.startup().warmup()};
   * {@link #done()} completes when it is over. A warm-up that cannot start completes with its failure.
   */
  public static Warmup start(Vertx vertx, EventLoopGroup acceptor, List<EventLoop> eventLoops, Transport transport,
                             BatcycleConfig config) {
    Warmup warmup = new Warmup(vertx, eventLoops, transport);
    StubApp.start(acceptor, new LoopGroup(eventLoops), transport)
        .compose(stub -> {
          warmup.stub = stub;
          BatcycleConfig copy = privateCopy(config, stub.port());
          return ProxyServer.start(acceptor, eventLoops, transport, copy, warmup.requestPath(copy), null);
        })
        .onSuccess(proxy -> warmup.run(proxy, config.startup().warmup(), config.startup().warmupMinRequests()))
        .onFailure(cause -> warmup.finish("failure: " + cause.getMessage()));
    return warmup;
  }

  /** The user's settings, except where the warm-up must differ: its own addresses, the stub as the app. */
  private static BatcycleConfig privateCopy(BatcycleConfig config, int stubPort) {
    Map<Key, String> overrides = new EnumMap<>(Key.class);
    overrides.put(Key.LISTEN, "127.0.0.1:0");
    overrides.put(Key.ADMIN, "127.0.0.1:0");
    overrides.put(Key.UPSTREAM, "http://127.0.0.1:" + stubPort);
    overrides.put(Key.DEMO, "false");
    overrides.put(Key.STARTUP_HOLD_TIMEOUT, "0"); // the stub is up before the copy starts
    overrides.put(Key.RATE_LIMIT_LIMIT, "0"); // synthetic requests must not be refused with 429s
    // Stalled synthetic uploads are cut at the body watch's next look (once a second), not after the user's 30 s.
    overrides.put(Key.TIMEOUTS_REQUEST_BODY, "100ms");
    // The synthetic load speaks plain HTTP to the copy: no certificate files are read for it.
    overrides.put(Key.TLS_CERT_FILE, "");
    overrides.put(Key.TLS_KEY_FILE, "");
    overrides.put(Key.TLS_CLIENT_CA_FILE, "");
    overrides.put(Key.TLS_CLIENT_AUTH, "none");
    return config.with(overrides);
  }

  private RequestPath requestPath(BatcycleConfig copy) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProxyMeters meters = new ProxyMeters(registry, new TraceExemplars(), copy.metrics(),
        copy.upstream().maxConnections());
    AccessLogSink sink = record -> { };
    if (copy.accessLog().enabled()) {
      // The real format into nowhere: formatting request-log lines is part of what gets compiled.
      accessLog = new StreamAccessLogSink(OutputStream.nullOutputStream(),
          AccessLogFormat.of(copy.accessLog().format()), copy.accessLog().queueSize(), registry);
      sink = accessLog;
    }
    return new RequestPath(copy, meters, sink, new Drain(), new AppProbe(vertx, copy.upstream()));
  }

  /** {@code minRequests}: below about 10,000 the hot methods have not all reached the JIT's thresholds yet. */
  private void run(ProxyServer proxy, Duration limit, long minRequests) {
    this.proxy = proxy;
    if (stopping) {
      finish("stopped");
      return;
    }
    load = new WarmupLoad(loops, transport, proxy.port());
    load.start();
    long deadline = startNanos + limit.toNanos();
    timer = vertx.setPeriodic(CHECK_MS, id -> {
      boolean quiet = jit.measurable() && jit.quietSinceLastCall();
      if (stopping) {
        finish("stopped");
      } else if (load.failed() >= MAX_FAILURES) {
        finish("failures");
      } else if (load.succeeded() >= minRequests && quiet) {
        finish("jit quiet");
      } else if (System.nanoTime() - deadline >= 0) {
        finish("time limit");
      }
    });
  }

  /** CPU time of the whole process so far (every thread: the compilers' too), or 0 if the JVM cannot tell. */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  /** Synthetic requests answered so far. */
  public long requestsSoFar() {
    WarmupLoad running = load;
    return running == null ? 0 : running.succeeded();
  }

  /** Completes when the warm-up is over, whatever ended it. */
  public Future<Result> done() {
    return done.future();
  }

  /** Ends the warm-up early (batcycle is stopping); {@link #done()} completes once everything is closed. */
  public Future<Result> stop() {
    stopping = true;
    if (proxy == null && stub == null) {
      finish("stopped");
    }
    return done();
  }

  private synchronized void finish(String endedBy) {
    if (timer == -2) {
      return; // already finishing
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = -2;
    long requests = load == null ? 0 : load.succeeded();
    long failures = load == null ? 0 : load.failed();
    long cut = load == null ? 0 : load.cut();
    Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
    Duration cpu = Duration.ofNanos(Math.max(0, processCpuNanos() - startCpuNanos));
    long compileMs = jit.totalCompileMs() - startCompileMs;
    Future<Void> loadStopped = load == null ? Future.succeededFuture() : load.stop();
    loadStopped
        .eventually(() -> proxy == null ? Future.succeededFuture() : proxy.close())
        .eventually(() -> stub == null ? Future.succeededFuture() : stub.close())
        .onComplete(closed -> {
          if (accessLog != null) {
            accessLog.close();
          }
          if (registry != null) {
            registry.close();
          }
          Result result = new Result(requests, failures, cut, took, cpu, endedBy);
          if (failures >= MAX_FAILURES || endedBy.startsWith("failure")) {
            LOG.warn("warm-up ended early ({}): {} synthetic requests succeeded, {} failed, in {} ms; the first real "
                + "requests may be slow", endedBy, requests, failures, took.toMillis());
          } else {
            LOG.info("warm-up: {} synthetic requests (and {} stalled uploads cut with 408) through a private copy of "
                + "the request path in {} ms; the process used {} ms of CPU, the JIT compilers {} ms ({})", requests,
                cut, took.toMillis(), cpu.toMillis(), compileMs, endedBy);
          }
          done.complete(result);
        });
  }
}
