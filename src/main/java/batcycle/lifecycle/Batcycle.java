package batcycle.lifecycle;

import batcycle.drain.Drain;
import batcycle.accesslog.AccessLogSink;
import batcycle.accesslog.RecentFailures;
import batcycle.accesslog.SwitchedAccessLog;
import batcycle.admin.AdminActions;
import batcycle.admin.AdminServer;
import batcycle.admin.ConfigState;
import batcycle.admin.Readiness;
import batcycle.config.AccessLogConfig;
import batcycle.config.BatcycleConfig;
import batcycle.config.OutboundConfig;
import batcycle.config.OutboundEntry;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import batcycle.demo.DemoApp;
import batcycle.metrics.Metrics;
import batcycle.metrics.ProxyMeters;
import batcycle.proxy.ProxyServer;
import batcycle.proxy.RequestPath;
import batcycle.reload.ConfigReloader;
import batcycle.reload.FileWatch;
import batcycle.tls.ServerTls;
import batcycle.upstream.NameResolution;
import io.netty.channel.socket.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import batcycle.startup.AppProbe;
import batcycle.warmup.Warmup;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicReference;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A running batcycle: one Vert.x instance holding the admin server, the proxy and, with --demo, the demo app,
 * plus the process-wide metrics registry and request-log writer.
 */
public final class Batcycle {
  private static final Logger LOG = LoggerFactory.getLogger(Batcycle.class);
  /** The outbound entry the demo app calls through, and whose URL the demo remote serves. */
  private static final String DEMO_REMOTE = "remote";
  private final Vertx vertx;
  private final Metrics metrics;
  private final SwitchedAccessLog logWriter;
  private final Drain drain;
  private ConfigReloader reloader;
  private RequestPath path;
  private ServerTls tls;
  private FileWatch fileWatch;
  private ProxyServer proxy;
  /** Written as the listeners bind (on event loops), read by the demo app, reloads and the drain. */
  private final Map<String, ProxyServer> outbound = new ConcurrentHashMap<>();
  private final Map<String, RequestPath> outboundPaths = new ConcurrentHashMap<>();
  private final List<Drain> outboundDrains = new ArrayList<>();
  /** Whether each path's requests are logged (its accessLog.enabled); a reload may switch them. */
  private final AtomicBoolean inboundLogged = new AtomicBoolean();
  private final Map<String, AtomicBoolean> outboundLogged = new ConcurrentHashMap<>();
  private NameResolution dns;
  private AdminServer admin;
  private DrainController drainController;
  private AppProbe appProbe;
  private Warmup warmup;
  /** The warm-up's result once over; a field, as Micrometer holds a gauge's object only weakly. */
  private final AtomicReference<Warmup.Result> warmupResult = new AtomicReference<>();
  private final Transports.Choice transport;
  private volatile Runnable afterStop = () -> { };
  private Future<Void> closed;

  private Batcycle(Vertx vertx, Metrics metrics, SwitchedAccessLog logWriter, Drain drain,
                   Transports.Choice transport) {
    this.vertx = vertx;
    this.transport = transport;
    this.metrics = metrics;
    this.logWriter = logWriter;
    this.drain = drain;
  }

  /** Starts everything, logging requests to stdout; fails with a {@link ConfigException} if an address is taken. */
  public static Future<Batcycle> start(BatcycleConfig config) {
    return start(config, null);
  }

  /**
   * Starts everything; {@code accessLogOverride} (tests) receives the request log instead of stdout.
   * Fails with a {@link ConfigException} naming the key if an address cannot be bound.
   */
  public static Future<Batcycle> start(BatcycleConfig config, AccessLogSink accessLogOverride) {
    return start(config, accessLogOverride, DrainClock.SYSTEM);
  }

  /** As above, with {@code drainClock} counting the drain's delay (tests move it by hand). */
  public static Future<Batcycle> start(BatcycleConfig config, AccessLogSink accessLogOverride,
                                       DrainClock drainClock) {
    // One loop per proxy instance plus one for the admin server, so it answers even when the proxy is saturated.
    Transports.Choice transport;
    try {
      transport = Transports.choose(config.transport());
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(config.listener().eventLoops() + 1))
        .withTransport(transport.transport())
        .build();
    Metrics metrics = new Metrics();
    SwitchedAccessLog writer = accessLogOverride == null
        ? new SwitchedAccessLog(System.out, writerSettings(config), metrics.registry()) : null;
    // The status page's failed requests are taken in front of the request log, so they are kept even when the log
    // is off or its writer falls behind.
    RecentFailures failures = new RecentFailures(RecentFailures.DEFAULT_CAPACITY);
    Batcycle batcycle = new Batcycle(vertx, metrics, writer, new Drain(), transport);
    batcycle.inboundLogged.set(config.accessLog().enabled());
    AccessLogSink sink = failures.inFrontOf(logged(accessLogOverride, writer, batcycle.inboundLogged));
    ProxyMeters meters = new ProxyMeters(metrics.registry(), metrics.exemplars(), config.metrics(),
        config.upstream().maxConnections());
    AppProbe probe = new AppProbe(vertx, config.upstream());
    RequestPath path = new RequestPath(config, meters, sink, batcycle.drain, probe);
    batcycle.path = path;
    List<RequestPath> outboundPaths = new ArrayList<>();
    try {
      if (!config.outbound().isEmpty()) {
        VertxInternal internal = (VertxInternal) vertx;
        batcycle.dns = new NameResolution((EventLoop) internal.nettyEventLoopGroup().next(),
            () -> internal.transport().datagramChannel(),
            () -> (SocketChannel) internal.transport().channelFactory(false).newChannel(), config.dns());
      }
      for (OutboundConfig entry : config.outbound()) {
        ProxyMeters entryMeters = new ProxyMeters(metrics.registry(), metrics.exemplars(), config.metrics(),
            entry.settings().upstream().maxConnections(), MeterNames.DIRECTION_OUTBOUND, entry.name());
        Drain entryDrain = new Drain();
        AtomicBoolean entryLogged = new AtomicBoolean(entry.settings().accessLog().enabled());
        batcycle.outboundLogged.put(entry.name(), entryLogged);
        RequestPath entryPath = RequestPath.outbound(entry, entryMeters,
            failures.inFrontOf(logged(accessLogOverride, writer, entryLogged)), entryDrain, batcycle.dns);
        batcycle.outboundPaths.put(entry.name(), entryPath);
        batcycle.outboundDrains.add(entryDrain);
        outboundPaths.add(entryPath);
      }
    } catch (ConfigException e) {
      return batcycle.close().transform(closed -> Future.failedFuture(e));
    }
    batcycle.reloader = new ConfigReloader(config, metrics.registry(), batcycle::swap);
    Readiness readiness = new Readiness(batcycle.reloader::current, batcycle.drain, path.circuit()::describe);
    Future<Void> demo = config.demo() ? batcycle.startDemo(config) : Future.succeededFuture();
    // The TLS files are read on a worker thread; a problem fails the start naming its key.
    Future<ServerTls> tls = config.tls().enabled()
        ? vertx.executeBlocking(() -> ServerTls.start(config.tls(), metrics.registry()))
        : Future.succeededFuture();
    return demo.compose(v -> tls).compose(serverTls -> {
          batcycle.tls = serverTls;
          return AdminServer.start(vertx, config, batcycle::configState, metrics, readiness, failures,
              batcycle.adminActions());
        })
        .compose(admin -> {
          batcycle.admin = admin;
          VertxInternal internal = (VertxInternal) vertx;
          List<EventLoop> loops = proxyLoops(internal, admin.eventLoop(), config.listener().eventLoops());
          // Outbound listeners first: the app may call out as soon as clients reach it. They are plain HTTP on
          // loopback: tls.* is the proxy port's.
          Future<Void> outboundStarted = Future.succeededFuture();
          for (int i = 0; i < outboundPaths.size(); i++) {
            OutboundConfig entry = config.outbound().get(i);
            RequestPath entryPath = outboundPaths.get(i);
            outboundStarted = outboundStarted.compose(v -> ProxyServer.start(internal.acceptorEventLoopGroup(),
                loops, internal.transport(), entry.settings(), entryPath, null).map(server -> {
                  batcycle.outbound.put(entry.name(), server);
                  entryPath.start();
                  return null;
                }));
          }
          return outboundStarted.compose(v -> ProxyServer.start(internal.acceptorEventLoopGroup(), loops,
                  internal.transport(), config, path, batcycle.tls))
              .map(proxy -> {
                batcycle.proxy = proxy;
                batcycle.drainController = new DrainController(vertx, batcycle.drain,
                    () -> batcycle.reloader.current().lifecycle(), proxy, () -> meters.activeRequests().get(),
                    batcycle.outboundDrain(config, outboundPaths), drainClock);
                batcycle.watchFiles(config);
                readiness.listening();
                batcycle.warmUp(internal, loops, config, readiness);
                batcycle.appProbe = probe;
                if (!config.lifecycle().startupHoldTimeout().isZero()) {
                  probe.start(); // without holding, the first request that reaches the app marks it up
                }
                return batcycle;
              });
        })
        .recover(cause -> batcycle.close().transform(closed -> Future.failedFuture(cause)));
  }

  /**
   * Watches the config file (when {@code reload.watchConfig}) and the TLS files, one thread for both; neither is
   * watched when there is nothing to watch.
   */
  private void watchFiles(BatcycleConfig config) {
    boolean configFile = config.reload().watchConfig() && config.configFile().isPresent();
    if (!configFile && tls == null) {
      return;
    }
    fileWatch = new FileWatch(config.reload().pollInterval());
    if (configFile) {
      fileWatch.watch(List.of(config.configFile().get()),
          () -> reloader.reloadIfFileChanged("config file change"));
    }
    if (tls != null) {
      fileWatch.watch(tls.files(), tls::reloadIfChanged);
    }
    fileWatch.start();
  }

  /** Puts a reloaded configuration in force everywhere it is held; completes once every event loop has it. */
  private Future<Void> swap(BatcycleConfig next) {
    if (logWriter != null) {
      logWriter.apply(writerSettings(next));
    }
    inboundLogged.set(next.accessLog().enabled());
    StartupChecks.warnings(next).forEach(warning -> LOG.warn("configuration: {}", warning));
    List<Future<Void>> switched = new ArrayList<>();
    switched.add(proxy == null ? Future.succeededFuture() : proxy.reconfigure(next, path));
    // Outbound entries that run (a new or changed entry waits for a restart) take their new settings alike.
    for (OutboundConfig entry : next.outbound()) {
      ProxyServer server = outbound.get(entry.name());
      RequestPath entryPath = outboundPaths.get(entry.name());
      if (server != null && entryPath != null) {
        outboundLogged.get(entry.name()).set(entry.settings().accessLog().enabled());
        switched.add(server.reconfigure(entry.settings(), entryPath));
      }
    }
    return Future.all(switched).mapEmpty();
  }

  /** The writer's settings: on when any path logs (each path then decides for its own requests). */
  private static AccessLogConfig writerSettings(BatcycleConfig config) {
    AccessLogConfig root = config.accessLog();
    boolean any = root.enabled()
        || config.outbound().stream().anyMatch(entry -> entry.settings().accessLog().enabled());
    return new AccessLogConfig(any, root.format(), root.includeQuery(), root.sampleSuccess(), root.excludePaths(),
        root.headers(), root.secretHeaders(), root.queueSize());
  }

  /** A path's request log: the override (tests) whole, or the writer while {@code on}. */
  private static AccessLogSink logged(AccessLogSink override, AccessLogSink writer, AtomicBoolean on) {
    if (override != null) {
      return override;
    }
    return record -> {
      if (on.get()) {
        writer.offer(record);
      }
    };
  }

  /**
   * Reads the config file again and applies what it changes (see {@link ConfigReloader}); on the caller's thread,
   * which must not be an event loop. SIGHUP and the file watch call it; so may tests.
   */
  public ConfigReloader.Status reload(String trigger) {
    return reloader.reload(trigger);
  }

  /** What the last reload did (the start, before any). */
  public ConfigReloader.Status reloadStatus() {
    return reloader.status();
  }

  /** The configuration in force. */
  public BatcycleConfig config() {
    return reloader.current();
  }

  private ConfigState configState() {
    ConfigReloader.Status last = reloader.status();
    return new ConfigState(reloader.current(), reloader.hash(), last.result().label(), last.atMillis(),
        last.trigger(), last.detail(), last.pendingRestart());
  }

  /** HTTPS on the proxy port, or null: the certificate, its provider and rotation. */
  public ServerTls tls() {
    return tls;
  }

  /** The proxy's share of Vert.x's event loops: all but the admin server's, which keeps its loop to itself. */
  private static List<EventLoop> proxyLoops(VertxInternal internal, EventLoop adminLoop, int count) {
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      if (loop != adminLoop && loops.size() < count) {
        loops.add((EventLoop) loop);
      }
    }
    return loops;
  }

  /** What the start-up warm-up did; null while it runs, or when it is off. */
  public Warmup.Result warmupResult() {
    return warmupResult.get();
  }

  /** Runs the start-up warm-up (see {@link Warmup}) with readiness held until it is over; nothing if it is off. */
  private void warmUp(VertxInternal internal, List<EventLoop> loops, BatcycleConfig config, Readiness readiness) {
    AtomicReference<Warmup.Result> result = warmupResult;
    Gauge.builder(MeterNames.WARMUP_DURATION, result, r -> r.get() == null ? 0 : r.get().took().toNanos() / 1e9)
        .baseUnit("seconds").description("How long the start-up warm-up of the request path took")
        .register(metrics.registry());
    Gauge.builder(MeterNames.WARMUP_REQUESTS, result, r -> r.get() == null ? 0 : r.get().requests())
        .description("Synthetic requests the start-up warm-up sent through its private copy of the request path")
        .register(metrics.registry());
    if (config.startup().warmup().isZero()) {
      return;
    }
    Warmup running = Warmup.start(vertx, internal.acceptorEventLoopGroup(), loops, internal.transport(), config);
    warmup = running;
    readiness.warmingUp(() -> running.requestsSoFar() + " synthetic requests so far");
    running.done().onComplete(done -> {
      result.set(done.result());
      readiness.warmedUp();
    });
  }

  /**
   * The demo app on the upstream's address; with an outbound entry named {@code remote} (the demo's own, unless
   * outbound is set) whose URL is plain HTTP on loopback, also the demo remote there, so the app's {@code /call}
   * goes app -> outbound listener -> remote.
   */
  private Future<Void> startDemo(BatcycleConfig config) {
    HostPort address = new HostPort(config.upstream().host(), config.upstream().port());
    String callVia = config.outbound().stream().map(OutboundConfig::name).filter(DEMO_REMOTE::equals).findFirst()
        .orElse(config.outbound().isEmpty() ? null : config.outbound().get(0).name());
    Future<Void> app = DemoApp.start(vertx, address.host(), address.port(), "demo app",
            () -> callVia == null || !outbound.containsKey(callVia) ? 0 : outbound.get(callVia).port())
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.DEMO, address, cause)))
        .mapEmpty();
    java.net.URI remote = config.outbound().stream().filter(e -> e.name().equals(DEMO_REMOTE))
        .filter(e -> e.upstreams().size() == 1 && !e.secure()).map(e -> e.upstreams().get(0))
        .filter(url -> "127.0.0.1".equals(url.getHost()) || "localhost".equals(url.getHost())).findFirst()
        .orElse(null);
    if (remote == null) {
      return app;
    }
    HostPort at = new HostPort(remote.getHost(), OutboundEntry.port(remote));
    return app.compose(v -> DemoApp.start(vertx, at.host(), at.port(), "demo remote", () -> 0)
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure("demo (its remote)", at, cause)))
        .mapEmpty());
  }

  /** The port the outbound entry {@code name} listens on. */
  public int outboundPort(String name) {
    ProxyServer server = outbound.get(name);
    if (server == null) {
      throw new IllegalArgumentException("no outbound entry " + name);
    }
    return server.port();
  }

  /** The request paths: inbound first, then each outbound entry's. */
  public List<RequestPath> paths() {
    List<RequestPath> all = new ArrayList<>();
    all.add(path);
    all.addAll(outboundPaths.values());
    return all;
  }

  /** The last step of a drain: the outbound listeners, which close after the app has stopped (see README). */
  private OutboundDrain outboundDrain(BatcycleConfig config, List<RequestPath> entryPaths) {
    return new OutboundDrain(vertx, List.copyOf(outbound.values()), List.copyOf(outboundDrains),
        () -> entryPaths.stream().mapToInt(p -> p.meters().activeRequests().get()).sum(),
        config.demo() ? null : config.upstream());
  }

  /** The network I/O transport in use: {@code io_uring}, {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.name();
  }

  /** Why {@code transport: auto} passed over the faster transports, one line each; empty if it did not. */
  public java.util.List<String> transportsSkipped() {
    return transport.skipped();
  }

  public int proxyPort() {
    return proxy.port();
  }

  public int proxyInstances() {
    return proxy.instances();
  }

  public int adminPort() {
    return admin.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Drain drain() {
    return drain;
  }

  /** Drains gracefully (see {@link DrainController}), then closes everything. */
  public Future<Void> drainAndClose(String why) {
    if (drainController == null) {
      return close(); // still starting: nothing was served yet
    }
    return drainController.drain(why).eventually(this::close);
  }

  private AdminActions adminActions() {
    return new AdminActions() {
      @Override
      public Future<Void> stop(String why) {
        return Batcycle.this.stop(why);
      }

      @Override
      public Future<Void> prestop() {
        return Batcycle.this.prestop();
      }
    };
  }

  /** The app's preStop asks batcycle to move clients away before the app stops (see DrainController). */
  public Future<Void> prestop() {
    return drainController == null ? Future.succeededFuture() : drainController.prestop("preStop of the app");
  }

  /** What to do once stopped, e.g. exit the process; without it, stopping only closes this instance. */
  public void afterStop(Runnable action) {
    this.afterStop = action;
  }

  /** The full stop a signal or the admin endpoint asks for: drain, close, then the after-stop action. */
  public Future<Void> stop(String why) {
    return drainAndClose(why).onComplete(done -> afterStop.run());
  }

  /** Completes when the app has first accepted a connection. */
  public Future<Void> appUp() {
    return appProbe.up();
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Closes everything; later calls return the same future. */
  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = closeOnce();
    }
    return closed;
  }

  private Future<Void> closeOnce() {
    if (fileWatch != null) {
      fileWatch.close();
    }
    Future<?> warmedUp = warmup == null ? Future.succeededFuture() : warmup.stop();
    return warmedUp.transform(ignored -> {
      List<Future<Void>> servers = new ArrayList<>();
      if (proxy != null) {
        servers.add(proxy.close());
      }
      outbound.values().forEach(server -> servers.add(server.close()));
      outboundPaths.values().forEach(RequestPath::close);
      return Future.join(servers);
    }).transform(ignored -> {
      if (dns != null) {
        dns.close();
      }
      return vertx.close();
    }).andThen(done -> {
      if (logWriter != null) {
        logWriter.close();
      }
      metrics.close();
    });
  }
}
