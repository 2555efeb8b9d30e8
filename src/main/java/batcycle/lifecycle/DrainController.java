package batcycle.lifecycle;

import batcycle.drain.Drain;
import batcycle.config.LifecycleConfig;
import batcycle.proxy.ProxyServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
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
  private final Supplier<LifecycleConfig> settings;
  private final ProxyServer proxy;
  private final IntSupplier inFlight;
  private final OutboundDrain outbound;
  private final DrainClock clock;
  private final Promise<Void> drained = Promise.promise();
  private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long beganNanos;

  /** {@code settings}: the drain settings in force when a drain begins (a reload may change them until then). */
  public DrainController(Vertx vertx, Drain drain, Supplier<LifecycleConfig> settings, ProxyServer proxy,
                         IntSupplier inFlight) {
    this(vertx, drain, settings, proxy, inFlight, null, DrainClock.SYSTEM);
  }

  /**
   * {@code outbound}: the outbound listeners' last step, after the inbound listener has drained; null if none.
   * {@code clock}: what counts {@code drain.delay} (tests move it by hand).
   */
  DrainController(Vertx vertx, Drain drain, Supplier<LifecycleConfig> settings, ProxyServer proxy,
                  IntSupplier inFlight, OutboundDrain outbound, DrainClock clock) {
    this.outbound = outbound;
    this.clock = clock;
    this.vertx = vertx;
    this.drain = drain;
    this.settings = settings;
    this.proxy = proxy;
    this.inFlight = inFlight;
  }

  /**
   * The first half of a drain, for the app's preStop hook: readiness turns 503 and every response asks its client
   * to reconnect, while everything keeps being served. Completes after {@code drain.delay}, so the hook holds the
   * app's own SIGTERM back until clients have moved to other pods. The listener stays open.
   */
  public Future<Void> prestop(String why) {
    begin(why);
    Promise<Void> moved = Promise.promise();
    long left = remainingDelayMs();
    if (left == 0) {
      moved.complete();
    } else {
      clock.after(vertx, left).onComplete(passed -> moved.complete());
    }
    return moved.future();
  }

  /** The whole drain (idempotent): begins it if needed, then closes the listener once the delay has passed. */
  public Future<Void> drain(String why) {
    begin(why);
    if (!stopping.compareAndSet(false, true)) {
      return drained.future();
    }
    long left = remainingDelayMs();
    LifecycleConfig config = settings.get();
    Runnable stop = () -> {
      LOG.info("draining: listener closed; waiting up to {} ms for {} in-flight request(s)",
          config.drainTimeout().toMillis(), inFlight.getAsInt());
      long started = System.nanoTime();
      proxy.shutdown(config.drainTimeout()).onComplete(done -> {
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        // Vert.x completes the shutdown when the last connection closed, or at the timeout, cutting what is left.
        if (elapsedMs >= config.drainTimeout().toMillis()) {
          LOG.warn("drain timeout after {} ms: {} request(s) still in flight were cut", elapsedMs,
              inFlight.getAsInt());
        } else {
          LOG.info("drained: every connection closed after {} ms", elapsedMs);
        }
        if (outbound == null) {
          drained.tryComplete();
          return;
        }
        // The whole drain, outbound included, fits in drain.delay + drain.timeout from its start (counted by the
        // drain clock; the outbound step counts what is left on the system's).
        long remaining = config.drainDelay().toNanos() + config.drainTimeout().toNanos()
            - (clock.nanoTime() - beganNanos);
        long deadline = System.nanoTime() + Math.max(0, remaining);
        outbound.run(deadline).onComplete(last -> drained.tryComplete());
      });
    };
    if (left == 0) {
      stop.run();
    } else {
      clock.after(vertx, left).onComplete(passed -> stop.run());
    }
    return drained.future();
  }

  private void begin(String why) {
    if (drain.begin()) {
      beganNanos = clock.nanoTime();
      LOG.info("draining ({}): /readyz now answers 503; serving {} more ms before closing the listener", why,
          settings.get().drainDelay().toMillis());
    }
  }

  /** What is left of {@code drain.delay}, counted from whichever call began the drain. */
  private long remainingDelayMs() {
    long elapsedMs = (clock.nanoTime() - beganNanos) / 1_000_000;
    return Math.max(0, settings.get().drainDelay().toMillis() - elapsedMs);
  }

  public boolean isDraining() {
    return drain.isDraining();
  }
}
