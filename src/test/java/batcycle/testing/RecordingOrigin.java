package batcycle.testing;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream app for tests on 127.0.0.1 port 0 that records every request it received (the "origin's own log"
 * used to prove nothing smuggled or duplicated reached it) and answers with a handler the test chooses.
 */
public final class RecordingOrigin implements AutoCloseable {
  /** One request as the app saw it; the body is read whole, so keep test bodies small. */
  public record Received(String method, String uri, String version, MultiMap headers, Buffer body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /** How the origin answers: given the request and its whole body. */
  @FunctionalInterface
  public interface Responder {
    void respond(HttpServerRequest request, Buffer body);
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> arrived = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger maxOpenConnections = new java.util.concurrent.atomic.AtomicInteger();

  private RecordingOrigin(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Answers 200 "ok" to everything. */
  public static RecordingOrigin start() {
    return start((request, body) -> request.response().end("ok"));
  }

  public static RecordingOrigin start(Responder responder) {
    return start(new HttpServerOptions(), responder);
  }

  public static RecordingOrigin start(HttpServerOptions options, Responder responder) {
    return start("127.0.0.1", 0, options, responder);
  }

  /** On a given loopback address and port, e.g. 127.0.0.2 on the port of another origin (two addresses of a name). */
  public static RecordingOrigin start(String host, int port, HttpServerOptions options, Responder responder) {
    Vertx vertx = Vertx.vertx();
    RecordingOrigin[] self = new RecordingOrigin[1];
    Handler<HttpServerRequest> handler = request -> {
      self[0].arrived.add(request);
      request.body().onSuccess(body -> {
        self[0].received.add(new Received(request.method().name(), request.uri(), request.version().alpnName(),
            MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body));
        responder.respond(request, body);
      });
    };
    HttpServer server = vertx.createHttpServer(options.setHost(host).setPort(port)).requestHandler(handler);
    self[0] = new RecordingOrigin(vertx, server);
    server.connectionHandler(connection -> {
      RecordingOrigin origin = self[0];
      origin.connections.incrementAndGet();
      origin.maxOpenConnections.accumulateAndGet(origin.openConnections.incrementAndGet(), Math::max);
      connection.closeHandler(v -> origin.openConnections.decrementAndGet());
    });
    Futures.await(server.listen());
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  /** Requests whose body arrived whole. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Requests whose head arrived, whole body or not (e.g. the client went away mid-upload). */
  public int arrivals() {
    return arrived.size();
  }

  /** Connections the origin accepted in total. */
  public int connections() {
    return connections.get();
  }

  /** The most connections that were open at the same time. */
  public int maxOpenConnections() {
    return maxOpenConnections.get();
  }

  public Received last() {
    if (received.isEmpty()) {
      throw new AssertionError("the origin received no request");
    }
    return received.get(received.size() - 1);
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    Futures.await(vertx.close());
  }
}
