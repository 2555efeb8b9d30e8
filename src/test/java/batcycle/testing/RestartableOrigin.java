package batcycle.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app on 127.0.0.1 that can be stopped and started again on the same port, counting per request id how many
 * times a request reached it (its head, whole body or not): the origin-side proof that nothing arrived twice.
 *
 * <p>A request carries its id in {@link #ID_HEADER}; the app answers {@code 200 "ok <id>"} after a short delay, so
 * that a stop always finds requests in flight. Requests without the header (strays from other processes on a
 * shared machine) are answered but not counted.
 */
public final class RestartableOrigin implements AutoCloseable {
  public static final String ID_HEADER = "x-load-id";
  private static final int REBIND_ATTEMPTS = 20;
  private static final long REBIND_PAUSE_MS = 50;

  /** How the app goes away. */
  public enum Stop {
    /** SO_LINGER 0 and close: every open connection, idle or mid-request, is reset (a crashed or killed app). */
    HARD,
    /** Stop accepting, finish the requests in flight, then close (an app shutting down cleanly). */
    GRACEFUL
  }

  private final Vertx vertx = Vertx.vertx();
  private final Stop stopMode;
  private final long latencyMs;
  private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
  private final AtomicInteger stray = new AtomicInteger();
  private volatile HttpServer server;
  private volatile int port;

  private RestartableOrigin(Stop stopMode, long latencyMs) {
    this.stopMode = stopMode;
    this.latencyMs = latencyMs;
  }

  /**
   * Starts on a free port; each answer is delayed by {@code latencyMs} on a Vert.x timer. The stop mode is fixed
   * here because a reset on close is a socket option set when listening.
   */
  public static RestartableOrigin start(Stop stopMode, long latencyMs) {
    RestartableOrigin origin = new RestartableOrigin(stopMode, latencyMs);
    origin.server = Futures.await(origin.listen(0));
    origin.port = origin.server.actualPort();
    return origin;
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** How many times the request with this id reached the app (0 if never). */
  public int arrivals(String id) {
    AtomicInteger count = arrivals.get(id);
    return count == null ? 0 : count.get();
  }

  /** Requests counted so far, over all ids. */
  public int totalArrivals() {
    return arrivals.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Stops the app the way chosen at start; completes when the listener and its connections are gone. */
  public Future<Void> stop() {
    HttpServer current = server;
    server = null;
    // Vert.x 5: close() is a shutdown with no grace period; shutdown(t) lets requests in flight finish first.
    return stopMode == Stop.HARD ? current.close() : current.shutdown(10, TimeUnit.SECONDS);
  }

  /**
   * Listens again on the same port. Rebinding can briefly fail if the kernel handed the port to an outgoing
   * socket meanwhile, so it is tried a bounded number of times.
   */
  public Future<Void> restart() {
    Promise<Void> done = Promise.promise();
    rebind(REBIND_ATTEMPTS, done);
    return done.future();
  }

  private void rebind(int attemptsLeft, Promise<Void> done) {
    listen(port).onSuccess(s -> {
      server = s;
      done.complete();
    }).onFailure(cause -> {
      if (attemptsLeft <= 1) {
        done.fail(new IllegalStateException("could not listen on port " + port + " again", cause));
      } else {
        vertx.setTimer(REBIND_PAUSE_MS, t -> rebind(attemptsLeft - 1, done));
      }
    });
  }

  private Future<HttpServer> listen(int onPort) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(onPort);
    if (stopMode == Stop.HARD) {
      // SO_LINGER 0 makes a close send RST instead of FIN: what a killed process's connections look like to a peer.
      options.setSoLinger(0);
    }
    return vertx.createHttpServer(options).requestHandler(request -> {
      String id = request.getHeader(ID_HEADER);
      if (id == null) {
        stray.incrementAndGet();
      } else {
        arrivals.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
      request.body().onSuccess(body -> vertx.setTimer(latencyMs, t -> {
        if (!request.response().closed()) {
          request.response().end("ok " + id);
        }
      }));
    }).listen();
  }

  @Override
  public void close() {
    Futures.await(vertx.close());
  }
}
