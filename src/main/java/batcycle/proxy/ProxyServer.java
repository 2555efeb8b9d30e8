package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * The proxy listener, spread over the configured number of event loops. The first instance binds (port 0 gets a
 * free port); the others then share that exact port, which Vert.x balances connections across.
 */
public final class ProxyServer {
  private final int port;

  private ProxyServer(int port) {
    this.port = port;
  }

  public static Future<ProxyServer> start(Vertx vertx, BatcycleConfig config) {
    HostPort address = config.listener().address();
    ProxyVerticle first = new ProxyVerticle(config);
    return vertx.deployVerticle(first)
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.LISTEN, address, cause)))
        .compose(id -> {
          int port = first.actualPort();
          int others = config.listener().eventLoops() - 1;
          if (others == 0) {
            return Future.succeededFuture(new ProxyServer(port));
          }
          BatcycleConfig samePort = config.with(Map.of(Key.LISTEN, new HostPort(address.host(), port).toString()));
          return vertx.deployVerticle(() -> new ProxyVerticle(samePort), new DeploymentOptions().setInstances(others))
              .map(ids -> new ProxyServer(port));
        });
  }

  public int port() {
    return port;
  }
}
