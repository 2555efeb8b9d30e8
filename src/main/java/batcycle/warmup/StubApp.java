package batcycle.warmup;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The app the warm-up talks to: inside batcycle, on 127.0.0.1 and a port the system picks, so the user's app never
 * sees a synthetic request. It answers HTTP/1.1 and HTTP/2 with prior knowledge (the two upstream protocols), with
 * the shapes of real traffic: a small body, a 16 KiB one, and a request body echoed back.
 */
final class StubApp {
  static final String SMALL = "/small";
  static final String LARGE = "/large";
  static final String ECHO = "/echo";
  private static final Buffer SMALL_BODY = Buffer.buffer("0123456789".repeat(10));
  private static final Buffer LARGE_BODY = Buffer.buffer("0123456789abcdef".repeat(1024));

  private final HttpServer server;

  private StubApp(HttpServer server) {
    this.server = server;
  }

  static Future<StubApp> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setHttp2ClearTextEnabled(true));
    return server.requestHandler(StubApp::answer).listen().map(StubApp::new);
  }

  private static void answer(HttpServerRequest request) {
    var response = request.response().putHeader("content-type", "text/plain");
    if (request.method() == HttpMethod.POST) {
      request.body().onSuccess(body -> response.end(body)).onFailure(failed -> response.reset());
    } else {
      response.end(request.path().equals(LARGE) ? LARGE_BODY : SMALL_BODY);
    }
  }

  int port() {
    return server.actualPort();
  }

  Future<Void> close() {
    return server.close();
  }
}
