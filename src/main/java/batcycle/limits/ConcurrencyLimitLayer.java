package batcycle.limits;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.LoopScheduler;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Sheds load before it reaches the app: a request takes a permit from the shared {@link ConcurrencyLimiter}, or
 * waits in its small queue (not past {@code limits.queueTimeout} nor the request deadline), or gets 503 with
 * Retry-After at once. The permit is held until the response ends, not when its head arrives, because a streaming
 * body still occupies the app; a WebSocket tunnel gives it back once established (it can last for hours).
 */
public final class ConcurrencyLimitLayer implements Layer {
  private final ConcurrencyLimiter limiter;
  private final long queueTimeoutMs;

  public ConcurrencyLimitLayer(ConcurrencyLimiter limiter, Duration queueTimeout) {
    this.limiter = limiter;
    this.queueTimeoutMs = queueTimeout.toMillis();
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (limiter.tryAcquire()) {
      return withPermit(exchange, next);
    }
    ConcurrencyLimiter.Waiter waiter = limiter.enqueue(exchange.loop());
    if (waiter == null) {
      return Future.failedFuture(overloaded(
          "batcycle is at its limit of " + limiter.limit() + " concurrent requests to the app, and its queue is full"));
    }
    if (waiter.granted().isComplete()) {
      return withPermit(exchange, next);
    }
    long waitMs = queueTimeoutMs;
    if (exchange.deadlineNanos() != 0) {
      waitMs = Math.min(waitMs, Math.max(1, (exchange.deadlineNanos() - System.nanoTime()) / 1_000_000));
    }
    LoopScheduler.Timer timer = exchange.loop().schedule(waitMs, () -> giveUp(waiter));
    exchange.onCancel(() -> giveUp(waiter));
    return waiter.granted().compose(v -> {
      timer.cancel();
      return withPermit(exchange, next);
    });
  }

  private void giveUp(ConcurrencyLimiter.Waiter waiter) {
    if (limiter.leave(waiter)) {
      waiter.fail(overloaded("no capacity for this request within its wait in batcycle's queue"));
    }
  }

  /** Overload is usually a burst: a second later is a fair guess, and well-behaved clients spread out. */
  private static ProxyFailure overloaded(String message) {
    return ProxyFailure.retryLater(FailureKind.OVERLOADED, message, 1);
  }

  private Future<UpstreamResponse> withPermit(Exchange exchange, Next next) {
    Permit permit = new Permit();
    exchange.onEnd(outcome -> permit.release());
    long start = System.nanoTime();
    return next.proceed(exchange).andThen(ar -> {
      if (ar.succeeded()) {
        limiter.onSample(System.nanoTime() - start);
        if (ar.result().status() == 101) {
          permit.release(); // a WebSocket tunnel: it can last for hours
        }
      } else if (ar.cause() instanceof ProxyFailure failure && failure.status() == 504) {
        limiter.onDrop();
      }
    });
  }

  /** Releases its permit once, whichever of the end or the tunnel comes first. */
  private final class Permit {
    private boolean released;

    void release() {
      if (!released) {
        released = true;
        limiter.release();
      }
    }
  }
}
