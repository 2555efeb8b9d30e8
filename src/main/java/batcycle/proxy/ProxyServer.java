package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.connection.ClientConnections;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The proxy listener, spread over the configured number of event loops: one verticle per loop, all listening on
 * the same address, which Vert.x binds once and balances connections across.
 */
public final class ProxyServer {
  private final int port;
  private final List<ProxyVerticle> instances;

  private ProxyServer(int port, List<ProxyVerticle> instances) {
    this.port = port;
    this.instances = List.copyOf(instances);
  }

  public static Future<ProxyServer> start(Vertx vertx, BatcycleConfig config, ProxyDeps deps) {
    HostPort address = config.listener().address();
    List<ProxyVerticle> instances = new CopyOnWriteArrayList<>();
    // One for all event loops: the connection cap counts every loop's connections.
    ClientConnections connections = new ClientConnections(config.listener(), deps.meters());
    return vertx.deployVerticle(() -> {
          ProxyVerticle verticle = new ProxyVerticle(config, deps, connections);
          instances.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.listener().eventLoops()))
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.LISTEN, address, cause)))
        .compose(id -> {
          Set<Integer> ports = instances.stream().map(ProxyVerticle::actualPort).collect(Collectors.toSet());
          if (ports.size() != 1) {
            return Future.failedFuture(new IllegalStateException("proxy instances bound different ports " + ports));
          }
          return Future.succeededFuture(new ProxyServer(ports.iterator().next(), instances));
        });
  }

  /** Listener instances, one per event loop. */
  public int instances() {
    return instances.size();
  }

  /**
   * Graceful stop: no new connections; idle keep-alive connections close, busy ones close after their current
   * response (HTTP/2: GOAWAY), and whatever is still in flight after {@code timeout} is cut.
   */
  public Future<Void> shutdown(java.time.Duration timeout) {
    return Future.all(instances.stream().map(instance -> instance.shutdown(timeout)).toList()).mapEmpty();
  }

  public int port() {
    return port;
  }
}
