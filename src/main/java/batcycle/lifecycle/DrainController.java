package batcycle.lifecycle;

import batcycle.drain.Drain;
import batcycle.config.LifecycleConfig;
import batcycle.proxy.ProxyServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful shutdown of a sidecar in a rolling deploy: readiness turns 503 at once; batcycle keeps serving
 * for {@code drain.delay} while Kubernetes takes the pod out of the Service's endpoints; then it stops accepting,
 * lets in-flight requests finish for up to {@code drain.timeout}, and stops. Started once; later calls return the
 * same future.
 */
public final class DrainController {
  private static final Logger LOG = LoggerFactory.getLogger(DrainController.class);
  private final Vertx vertx;
  private final Drain drain;
  private final LifecycleConfig config;
  private final ProxyServer proxy;
  private final IntSupplier inFlight;
  private final Promise<Void> drained = Promise.promise();

  public DrainController(Vertx vertx, Drain drain, LifecycleConfig config, ProxyServer proxy, IntSupplier inFlight) {
    this.vertx = vertx;
    this.drain = drain;
    this.config = config;
    this.proxy = proxy;
    this.inFlight = inFlight;
  }

  /** Begins draining (idempotent); completes when the proxy has stopped serving. */
  public Future<Void> drain(String why) {
    if (!drain.begin()) {
      return drained.future();
    }
    LOG.info("draining ({}): /readyz now answers 503; serving {} more ms before closing the listener", why,
        config.drainDelay().toMillis());
    Runnable stop = () -> {
      LOG.info("draining: listener closed; waiting up to {} ms for {} in-flight request(s)",
          config.drainTimeout().toMillis(), inFlight.getAsInt());
      proxy.shutdown(config.drainTimeout()).onComplete(done -> {
        int left = inFlight.getAsInt();
        if (left > 0) {
          LOG.warn("drain timeout: {} request(s) still in flight were cut", left);
        } else {
          LOG.info("drained: no request in flight");
        }
        drained.tryComplete();
      });
    };
    if (config.drainDelay().isZero()) {
      stop.run();
    } else {
      vertx.setTimer(config.drainDelay().toMillis(), id -> stop.run());
    }
    return drained.future();
  }

  public boolean isDraining() {
    return drain.isDraining();
  }
}
