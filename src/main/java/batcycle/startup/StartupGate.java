package batcycle.startup;

import batcycle.config.LifecycleConfig;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.pipeline.LoopScheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds requests that arrive before the app has ever accepted a connection, instead of answering 502 while the
 * app is still starting. Bounded in count ({@code startup.maxHeld}, across event loops) and time
 * ({@code startup.holdTimeout}); past either, the request goes on and fails like any other if the app is down.
 */
public final class StartupGate implements Layer {
  private final AppProbe probe;
  private final long holdMs;
  private final int maxHeld;
  private final AtomicInteger held;

  /** {@code held} is shared by every event loop, so the bound holds across them. */
  public StartupGate(AppProbe probe, LifecycleConfig config, AtomicInteger held) {
    this.probe = probe;
    this.holdMs = config.startupHoldTimeout().toMillis();
    this.maxHeld = config.startupMaxHeld();
    this.held = held;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (probe.isUp()) {
      return next.proceed(exchange);
    }
    if (holdMs == 0 || held.incrementAndGet() > maxHeld) {
      if (holdMs != 0) {
        held.decrementAndGet();
      }
      return next.proceed(exchange).andThen(ar -> probe.markUp(ar.succeeded()));
    }
    Promise<Void> release = Promise.promise();
    LoopScheduler.Timer timer = exchange.loop().schedule(holdMs, release::tryComplete);
    // The probe completes on another event loop: hop back to this one before touching the exchange.
    probe.up().onComplete(v -> exchange.loop().execute(release::tryComplete));
    exchange.onCancel(release::tryComplete);
    return release.future().compose(v -> {
      held.decrementAndGet();
      timer.cancel();
      return exchange.isCancelled() ? Future.failedFuture(new IllegalStateException("client went away"))
          : next.proceed(exchange);
    });
  }
}
