package batcycle.lifecycle;

import batcycle.config.UpstreamConfig;
import batcycle.drain.Drain;
import batcycle.proxy.ProxyServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a drain: the outbound listeners. The app may still be finishing work that calls out after its
 * own clients are gone, so these stay open, answering as usual (no {@code Connection: close}), until the app has
 * stopped (it refuses connections) and no outbound request is in flight, or until the drain's time is up. Then they
 * close like the inbound listener: idle connections at once, busy ones after their exchange, the rest cut at the
 * deadline.
 */
final class OutboundDrain {
  private static final Logger LOG = LoggerFactory.getLogger(OutboundDrain.class);
  private static final long CHECK_MS = 100;

  private final Vertx vertx;
  private final List<ProxyServer> servers;
  private final List<Drain> drains;
  private final IntSupplier inFlight;
  private final UpstreamConfig app;

  /** {@code app}: where the app listens, to see when it has stopped; null when the app stops with batcycle (demo). */
  OutboundDrain(Vertx vertx, List<ProxyServer> servers, List<Drain> drains, IntSupplier inFlight,
                UpstreamConfig app) {
    this.vertx = vertx;
    this.servers = servers;
    this.drains = drains;
    this.inFlight = inFlight;
    this.app = app;
  }

  /** Waits for the app to stop (at most until {@code deadlineNanos}), then closes the outbound listeners. */
  Future<Void> run(long deadlineNanos) {
    if (servers.isEmpty()) {
      return Future.succeededFuture();
    }
    NetClient probe = app == null ? null
        : vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) CHECK_MS * 2));
    Promise<Void> done = Promise.promise();
    LOG.info("draining: {} outbound listener(s) serve until the app has stopped", servers.size());
    await(probe, deadlineNanos, done);
    return done.future().compose(v -> {
      if (probe != null) {
        probe.close();
      }
      drains.forEach(Drain::begin);
      long leftMs = Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
      return Future.join(servers.stream().map(s -> s.shutdown(Duration.ofMillis(leftMs))).toList()).mapEmpty();
    });
  }

  private void await(NetClient probe, long deadlineNanos, Promise<Void> done) {
    if (System.nanoTime() - deadlineNanos >= 0) {
      LOG.info("draining: closing the outbound listeners at the drain deadline ({} outbound request(s) in flight)",
          inFlight.getAsInt());
      done.complete();
      return;
    }
    appGone(probe).onComplete(gone -> {
      if (gone.result() && inFlight.getAsInt() == 0) {
        LOG.info("draining: the app has stopped and no outbound request is in flight; closing the outbound "
            + "listeners");
        done.complete();
      } else {
        vertx.setTimer(CHECK_MS, id -> await(probe, deadlineNanos, done));
      }
    });
  }

  private Future<Boolean> appGone(NetClient probe) {
    if (probe == null) {
      return Future.succeededFuture(true);
    }
    return probe.connect(app.port(), app.host()).compose(socket -> socket.close().map(false),
        failed -> Future.succeededFuture(true));
  }
}
