package batcycle.startup;

import batcycle.config.UpstreamConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches for the app's first accepted connection after start-up (apps often start slower than their sidecar).
 * Probes with a TCP connect every 100 ms until one succeeds, then completes {@link #up()} and stops for good:
 * later outages are the business of timeouts, retries and readiness, not of this start-up gate.
 */
public final class AppProbe {
  private static final long INTERVAL_MS = 100;
  private final Vertx vertx;
  private final UpstreamConfig upstream;
  private final Promise<Void> up = Promise.promise();
  private final AtomicBoolean isUp = new AtomicBoolean();
  private NetClient client;
  private long timer = -1;

  public AppProbe(Vertx vertx, UpstreamConfig upstream) {
    this.vertx = vertx;
    this.upstream = upstream;
  }

  /** Starts probing; call once. */
  public void start() {
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) INTERVAL_MS * 10));
    probe();
  }

  private void probe() {
    client.connect(upstream.port(), upstream.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        markUp();
      } else if (!isUp.get()) {
        timer = vertx.setTimer(INTERVAL_MS, id -> probe());
      }
    });
  }

  /** Called after each forwarded request: one that reached the app ends the probing early. */
  void markUp(boolean reachedApp) {
    if (reachedApp) {
      markUp();
    }
  }

  private void markUp() {
    if (isUp.compareAndSet(false, true)) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      up.tryComplete();
      if (client != null) {
        client.close();
      }
    }
  }

  public boolean isUp() {
    return isUp.get();
  }

  /** Completes once the app has accepted a connection. */
  public Future<Void> up() {
    return up.future();
  }
}
