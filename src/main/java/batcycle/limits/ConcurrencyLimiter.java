package batcycle.limits;

import batcycle.config.LimitConfig;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import batcycle.pipeline.LoopScheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Permits for requests to the app, shared by every event loop: at most {@code limit} at once, a bounded FIFO
 * queue behind them. The monitor guards a counter and a short queue and is never held across I/O or a callback;
 * a queued request is granted its permit on its own event loop.
 */
public final class ConcurrencyLimiter {
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private LimitConfig config; // guarded by the monitor, like the queue size taken from it
  private int queueSize;
  private volatile GradientLimit adaptive;
  private volatile int limit;
  private int inFlight;

  public ConcurrencyLimiter(LimitConfig config, MeterRegistry registry) {
    this(config, registry, Tags.empty());
  }

  /** {@code tags}: the request path's own ({@code direction}, {@code upstream}), on every meter. */
  public ConcurrencyLimiter(LimitConfig config, MeterRegistry registry, Tags tags) {
    this.config = config;
    this.queueSize = config.queueSize();
    this.adaptive = config.adaptive() ? new GradientLimit(config.adaptiveMinLimit(), config.maxConcurrent()) : null;
    this.limit = adaptive != null ? adaptive.limit() : config.maxConcurrent();
    Gauge.builder(MeterNames.CONCURRENCY_LIMIT, this, l -> l.limit)
        .description("The current concurrency limit on requests to the app").tags(tags).register(registry);
    Gauge.builder(MeterNames.CONCURRENCY_ACTIVE, this, ConcurrencyLimiter::inFlight)
        .description("Requests holding a concurrency permit").tags(tags).register(registry);
    Gauge.builder(MeterNames.CONCURRENCY_QUEUED, this, ConcurrencyLimiter::queued)
        .description("Requests waiting for a concurrency permit").tags(tags).register(registry);
  }

  /** A request waiting for a permit; exactly one of grant, timeout or cancellation claims it. */
  static final class Waiter {
    private final LoopScheduler loop;
    private final Promise<Void> granted = Promise.promise();
    private final AtomicBoolean claimed = new AtomicBoolean();

    private Waiter(LoopScheduler loop) {
      this.loop = loop;
    }

    Future<Void> granted() {
      return granted.future();
    }

    private boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    /** Fails the wait on the waiter's own event loop (the caller already claimed it). */
    void fail(Throwable failure) {
      loop.execute(() -> granted.fail(failure));
    }
  }

  public int limit() {
    return limit;
  }

  /** Takes a permit if one is free now. */
  public synchronized boolean tryAcquire() {
    if (inFlight < limit) {
      inFlight++;
      return true;
    }
    return false;
  }

  /** Joins the queue, to be granted a permit on {@code loop}; null if the queue is full. */
  synchronized Waiter enqueue(LoopScheduler loop) {
    if (inFlight < limit) {
      // A permit came free since tryAcquire: take it rather than queue behind nobody.
      inFlight++;
      Waiter waiter = new Waiter(loop);
      waiter.claim();
      waiter.granted.complete();
      return waiter;
    }
    if (queue.size() >= queueSize) {
      return null;
    }
    Waiter waiter = new Waiter(loop);
    queue.add(waiter);
    return waiter;
  }

  /** Gives up waiting (timeout, client gone); false if the permit was already granted, which must then be released. */
  boolean leave(Waiter waiter) {
    if (!waiter.claim()) {
      return false;
    }
    synchronized (this) {
      queue.remove(waiter);
    }
    return true;
  }

  /** Returns a permit; the next waiters in line get theirs on their own event loops. */
  public void release() {
    List<Waiter> grants;
    synchronized (this) {
      inFlight--;
      grants = admitWaiting();
    }
    grant(grants);
  }

  /**
   * New settings from a reload. Permits held stay held and are returned here; a higher limit admits waiting requests
   * at once, a lower one lets no new request in until enough permits came back. The adaptive limit starts afresh
   * only when its own settings changed.
   */
  public void reconfigure(LimitConfig next) {
    List<Waiter> grants;
    synchronized (this) {
      boolean adaptiveChanged = next.adaptive() != config.adaptive()
          || next.adaptiveMinLimit() != config.adaptiveMinLimit() || next.maxConcurrent() != config.maxConcurrent();
      config = next;
      queueSize = next.queueSize();
      if (!next.adaptive()) {
        adaptive = null;
        limit = next.maxConcurrent();
      } else if (adaptiveChanged) {
        adaptive = new GradientLimit(next.adaptiveMinLimit(), next.maxConcurrent());
        limit = adaptive.limit();
      }
      grants = admitWaiting();
    }
    grant(grants);
  }

  /** Takes waiters off the queue while permits are free; call under the monitor, then {@link #grant} outside it. */
  private List<Waiter> admitWaiting() {
    List<Waiter> grants = null;
    while (inFlight < limit && !queue.isEmpty()) {
      Waiter next = queue.poll();
      if (next.claim()) {
        inFlight++;
        if (grants == null) {
          grants = new ArrayList<>(1);
        }
        grants.add(next);
      }
    }
    return grants;
  }

  private static void grant(List<Waiter> grants) {
    if (grants != null) {
      for (Waiter waiter : grants) {
        waiter.loop.execute(() -> waiter.granted.complete());
      }
    }
  }

  /** Feeds the adaptive limit a response latency (no-op for a fixed limit). */
  void onSample(long rttNanos) {
    GradientLimit gradient = adaptive;
    if (gradient != null) {
      limit = gradient.onSample(rttNanos, inFlight());
    }
  }

  /** Tells the adaptive limit that a request timed out. */
  void onDrop() {
    GradientLimit gradient = adaptive;
    if (gradient != null) {
      limit = gradient.onDrop();
    }
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized int queued() {
    return queue.size();
  }
}
