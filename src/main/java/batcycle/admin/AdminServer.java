package batcycle.admin;

import batcycle.config.HostPort;
import batcycle.config.Key;
import batcycle.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/** The admin port, separate from the proxy port so the app's traffic never reaches it. */
public final class AdminServer extends VerticleBase {
  private final HostPort address;
  private HttpServer server;

  private AdminServer(HostPort address) {
    this.address = address;
  }

  /** Deploys the admin server on its own verticle (and so, when deployed first, its own event loop). */
  public static Future<AdminServer> start(Vertx vertx, HostPort address) {
    AdminServer admin = new AdminServer(address);
    return vertx.deployVerticle(admin)
        .recover(cause -> Future.failedFuture(ConfigException.bindFailure(Key.ADMIN, address, cause)))
        .map(id -> admin);
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(address.port(), address.host());
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    var response = request.response().putHeader("content-type", "text/plain; charset=utf-8");
    if (request.path().equals("/healthz")) {
      // Alive means the process answers; it never depends on the app.
      response.end("ok\n");
    } else {
      response.setStatusCode(404).end("not found\n");
    }
  }
}
