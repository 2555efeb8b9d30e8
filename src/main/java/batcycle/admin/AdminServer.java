package batcycle.admin;

import batcycle.accesslog.RecentFailures;
import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigAccess;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import batcycle.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/**
 * The admin port, separate from the proxy port so the app's traffic never reaches it, on an event loop of its
 * own so it answers while the proxy is saturated: {@code /healthz}, {@code /readyz}, {@code /metrics},
 * {@code /config} (loopback only by default), and the status page at {@code /} with its data at {@code /stats.json}.
 */
public final class AdminServer extends VerticleBase {
  private static final String TEXT = "text/plain; charset=utf-8";
  /** How often the status page's traffic history is sampled from the registry. */
  private static final long SAMPLE_EVERY_MS = 1_000;
  private final HostPort address;
  private final Supplier<ConfigState> configState;
  private final Metrics metrics;
  private final Readiness readiness;
  private final AdminActions actions;
  private final StatusPage statusPage = new StatusPage();
  private final StatusStats stats;
  private HttpServer server;
  private long sampler = -1;

  private AdminServer(BatcycleConfig config, Supplier<ConfigState> configState, Metrics metrics, Readiness readiness,
                      RecentFailures failures, AdminActions actions) {
    this.actions = actions;
    this.address = config.admin();
    this.configState = configState;
    this.metrics = metrics;
    this.readiness = readiness;
    this.stats = new StatusStats(config, configState, metrics.registry(), readiness, failures,
        System.currentTimeMillis());
  }

  /**
   * Deploys the admin server on its own verticle (and so, when deployed first, its own event loop); {@code config}:
   * the start's (the address), {@code configState}: the settings in force, which a reload may replace.
   */
  public static Future<AdminServer> start(Vertx vertx, BatcycleConfig config, Supplier<ConfigState> configState,
                                          Metrics metrics, Readiness readiness, RecentFailures failures,
                                          AdminActions actions) {
    AdminServer admin = new AdminServer(config, configState, metrics, readiness, failures, actions);
    return vertx.deployVerticle(admin)
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.ADMIN, config.admin(), cause)))
        .map(id -> admin);
  }

  @Override
  public Future<?> start() {
    readiness.init(vertx);
    // The history is read here, on the admin loop, so the proxy's event loops never pay for the status page.
    stats.sample(System.currentTimeMillis());
    sampler = vertx.setPeriodic(SAMPLE_EVERY_MS, id -> stats.sample(System.currentTimeMillis()));
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(address.port(), address.host());
  }

  /** The event loop this server runs on. */
  public io.netty.channel.EventLoop eventLoop() {
    return ((io.vertx.core.internal.ContextInternal) context).nettyEventLoop();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sampler);
    return Future.succeededFuture(); // the server is closed with the verticle
  }

  /**
   * POST /drain (or Envoy's /quitquitquit): drain, then exit, for a Job whose main container has finished. Only from
   * loopback: any other container of the pod may ask, nothing from outside the pod may.
   */
  private void drain(HttpServerRequest request) {
    HttpServerResponse response = request.response().putHeader("content-type", TEXT);
    if (request.method() != HttpMethod.POST) {
      response.setStatusCode(405).putHeader("allow", "POST").end("use POST\n");
    } else if (!isLoopback(request.remoteAddress())) {
      response.setStatusCode(403).end("only accepted from loopback\n");
    } else {
      // Answer first: the stop may close this very server.
      response.setStatusCode(202).end("draining; batcycle exits when done\n")
          .onComplete(sent -> actions.stop("admin " + request.path()));
    }
  }

  /**
   * GET /prestop, for the app container's {@code preStop: httpGet} (Kubernetes hooks can only GET, and the kubelet
   * calls from the node's address): begins the drain without stopping and answers once clients had
   * {@code drain.delay} to move, so the app's SIGTERM waits until then. Accepted from loopback or from
   * {@code hostIp} only.
   */
  private void prestop(HttpServerRequest request) {
    HttpServerResponse response = request.response().putHeader("content-type", TEXT);
    SocketAddress from = request.remoteAddress();
    String hostIp = configState.get().config().lifecycle().hostIp();
    boolean fromNode = !hostIp.isEmpty() && from != null && hostIp.equals(from.hostAddress());
    if (!isLoopback(from) && !fromNode) {
      response.setStatusCode(403).end("only accepted from loopback or the node (hostIp)\n");
      return;
    }
    actions.prestop().onComplete(done -> response.end("draining; clients were asked to reconnect elsewhere\n"));
  }

  /**
   * Whether a GET of {@code path} is answered for {@code from}: everything is, for Prometheus, the kubelet and a
   * person's browser, except {@code /config}, which shows the whole configuration: from loopback only, unless
   * {@code configAccess: any}.
   */
  static boolean mayRead(String path, ConfigAccess access, SocketAddress from) {
    return !path.equals("/config") || access == ConfigAccess.ANY || isLoopback(from);
  }

  static boolean isLoopback(SocketAddress address) {
    try {
      return address != null && address.hostAddress() != null
          && InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // a literal address never needs a lookup; anything else is not loopback
    }
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (request.path().equals("/drain") || request.path().equals("/quitquitquit")) {
      drain(request);
      return;
    }
    if (request.path().equals("/prestop") && request.method() == HttpMethod.GET) {
      prestop(request);
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      response.setStatusCode(405).putHeader("allow", "GET, HEAD").putHeader("content-type", TEXT)
          .end("method not allowed\n");
      return;
    }
    ConfigState settings = configState.get();
    if (!mayRead(request.path(), settings.config().configAccess(), request.remoteAddress())) {
      response.setStatusCode(403).putHeader("content-type", TEXT)
          .end("only accepted from loopback (configAccess: any opens it)\n");
      return;
    }
    if (statusPage.serves(request.path())) {
      statusPage.serve(request.path(), response);
      return;
    }
    switch (request.path()) {
      // Alive means the process answers; it never depends on the app.
      case "/healthz" -> response.putHeader("content-type", TEXT).end("ok\n");
      case "/readyz" -> readiness.check().onComplete(ar -> {
        Readiness.State state = ar.succeeded() ? ar.result() : new Readiness.State(false, ar.cause().toString());
        response.setStatusCode(state.ready() ? 200 : 503).putHeader("content-type", TEXT)
            .end((state.ready() ? "ready" : "not ready") + ": " + state.detail() + "\n");
      });
      case "/metrics" -> {
        String accept = request.getHeader("accept");
        response.putHeader("content-type", Metrics.contentTypeFor(accept)).end(metrics.scrape(accept));
      }
      case "/config" -> response.putHeader("content-type", "application/json")
          .end(ConfigView.of(settings).encodePrettily() + "\n");
      case "/stats.json" -> stats.json(System.currentTimeMillis()).onComplete(ar -> {
        if (ar.succeeded()) {
          StatusPage.secure(response).putHeader("content-type", "application/json")
              .putHeader("cache-control", "no-store").end(ar.result().encode());
        } else {
          response.setStatusCode(500).putHeader("content-type", TEXT).end("stats failed: " + ar.cause() + "\n");
        }
      });
      default -> response.setStatusCode(404).putHeader("content-type", TEXT)
          .end("not found; try / (status page), /healthz, /readyz, /metrics, /config or /stats.json\n");
    }
  }
}
