package batcycle.lifecycle;

import batcycle.admin.AdminServer;
import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import batcycle.demo.DemoApp;
import batcycle.proxy.ProxyServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/** A running batcycle: one Vert.x instance holding the admin server, the proxy and, with --demo, the demo app. */
public final class Batcycle {
  private final Vertx vertx;
  private final ProxyServer proxy;
  private final AdminServer admin;

  private Batcycle(Vertx vertx, ProxyServer proxy, AdminServer admin) {
    this.vertx = vertx;
    this.proxy = proxy;
    this.admin = admin;
  }

  /** Starts everything; fails with a {@link ConfigException} naming the key if an address cannot be bound. */
  public static Future<Batcycle> start(BatcycleConfig config) {
    // One loop per proxy instance plus one for the admin server, so it answers even when the proxy is saturated.
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(config.listener().eventLoops() + 1)
        .setPreferNativeTransport(false));
    Future<Void> demo = config.demo() ? startDemo(vertx, config) : Future.succeededFuture();
    // Admin first: Vert.x hands event loops out round-robin, so it gets a loop of its own.
    return demo.compose(v -> AdminServer.start(vertx, config.admin()))
        .compose(admin -> ProxyServer.start(vertx, config).map(proxy -> new Batcycle(vertx, proxy, admin)))
        .recover(cause -> vertx.close().transform(closed -> Future.failedFuture(cause)));
  }

  private static Future<Void> startDemo(Vertx vertx, BatcycleConfig config) {
    HostPort address = new HostPort(config.upstream().host(), config.upstream().port());
    return DemoApp.start(vertx, address.host(), address.port())
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.DEMO, address, cause)))
        .mapEmpty();
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

  public Future<Void> close() {
    return vertx.close();
  }
}
