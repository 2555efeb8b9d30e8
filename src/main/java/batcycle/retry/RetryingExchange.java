package batcycle.retry;

import batcycle.config.RetryConfig;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.errors.ResponseFlag;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.LoopScheduler;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.github.resilience4j.core.IntervalFunction;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;

/**
 * One request's attempts under the rules of {@link RetryLayer}: sends an attempt, decides on its outcome, and
 * either hands the outcome on (final) or schedules the next attempt on a timer. Confined to the exchange's event
 * loop.
 */
final class RetryingExchange {
  private final Exchange exchange;
  private final Next next;
  private final RetryConfig config;
  private final RetryBudget budget;
  private final IntervalFunction backoff;
  private final RetryMeters meters;
  private final Promise<UpstreamResponse> result = Promise.promise();
  private ReplayableBody body;
  private int attempts;
  private LoopScheduler.Timer timer;
  private Throwable lastFailure;

  RetryingExchange(Exchange exchange, Next next, RetryConfig config, RetryBudget budget, IntervalFunction backoff,
                   RetryMeters meters) {
    this.exchange = exchange;
    this.next = next;
    this.config = config;
    this.budget = budget;
    this.backoff = backoff;
    this.meters = meters;
  }

  Future<UpstreamResponse> start() {
    body = wrapBody();
    if (body != null) {
      exchange.onEnd(outcome -> body.release());
    }
    exchange.onCancel(this::onCancel);
    send();
    return result.future();
  }

  /** Null when the request has no body to stream. */
  private ReplayableBody wrapBody() {
    if (!exchange.hasBody()) {
      return null;
    }
    long cap = 0;
    if (Retryability.safeToRepeat(exchange) && !exchange.isWebSocket()) {
      cap = config.maxReplayBytes();
      if (declaredLength() > cap) {
        cap = 0; // known to be too large: not worth recording any of it
      }
    }
    ReplayableBody wrapped = new ReplayableBody(exchange.body(), cap, exchange::cancel);
    exchange.body(wrapped.first());
    return wrapped;
  }

  private long declaredLength() {
    String length = exchange.headers().get(HeaderNames.CONTENT_LENGTH);
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // RequestPreparation has rejected malformed lengths; unknown means "record and see"
    }
  }

  private void send() {
    attempts++;
    next.proceed(exchange).onComplete(ar -> {
      if (result.future().isComplete()) {
        // The client left while this attempt was under way and the exchange is already over.
        if (ar.succeeded() && ar.result() != null) {
          ar.result().abort();
        }
      } else if (ar.succeeded()) {
        onResponse(ar.result());
      } else {
        onFailure(ar.cause());
      }
    });
  }

  private void onResponse(UpstreamResponse response) {
    if (response == null || !config.statuses().contains(response.status())) {
      result.complete(response); // null: a WebSocket tunnel took the connection over
      return;
    }
    String skip = precheck(FailureKind.Retry.STATUS);
    Duration retryAfter = RetryAfter.parse(response.head().headers().get(HeaderNames.RETRY_AFTER), Instant.now());
    if (skip == null && retryAfter != null && retryAfter.compareTo(config.maxRetryAfter()) > 0) {
      skip = "retry_after"; // the app asks for more patience than a client waiting on a request has
    }
    if (skip != null) {
      skip(skip);
      result.complete(response);
      return;
    }
    long delay = retryAfter != null ? retryAfter.toMillis() : backoffMillis();
    replayable().onComplete(ok -> {
      String late = ok.result() ? admit(delay) : "not_replayable";
      if (late != null) {
        skip(late);
        result.complete(response);
        return;
      }
      response.abort(); // resets the exchange with the app; its answer is not the client's
      retry(FailureKind.Retry.STATUS, delay);
    });
  }

  private void onFailure(Throwable cause) {
    lastFailure = cause;
    if (exchange.isCancelled()) {
      result.fail(cause);
      return;
    }
    String reason = Retryability.reasonFor(cause);
    boolean circuitOpen = cause instanceof ProxyFailure known && known.kind() == FailureKind.CIRCUIT_OPEN;
    String skip = reason == null ? (circuitOpen ? "circuit_open" : null) : precheck(reason);
    if (reason == null || skip != null) {
      if (skip != null) {
        skip(skip);
      }
      result.fail(cause);
      return;
    }
    long delay = backoffMillis();
    replayable().onComplete(ok -> {
      String late = ok.result() ? admit(delay) : "not_replayable";
      if (late != null) {
        skip(late);
        result.fail(cause);
        return;
      }
      retry(reason, delay);
    });
  }

  /** Why a retry for {@code reason} must not be made, whatever the body, time and budget; null if it may. */
  private String precheck(String reason) {
    if (attempts >= config.maxAttempts()) {
      return "attempts_exhausted";
    }
    boolean reachedApp = !reason.equals(FailureKind.Retry.CONNECT_FAILURE);
    if (reachedApp && exchange.isWebSocket()) {
      return "websocket";
    }
    return reachedApp && !Retryability.safeToRepeat(exchange) ? "not_idempotent" : null;
  }

  /** Completes with true if the next attempt can send the body: untouched, or recorded whole in time. */
  private Future<Boolean> replayable() {
    if (body == null || body.untouched()) {
      return Future.succeededFuture(true);
    }
    Future<Boolean> whole = body.whole();
    long deadline = exchange.deadlineNanos();
    if (whole.isComplete() || deadline == 0) {
      return whole;
    }
    // The rest of a small body may still be on its way from the client; wait for it, not past the deadline.
    Promise<Boolean> bounded = Promise.promise();
    long waitMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    LoopScheduler.Timer wait = exchange.loop().schedule(waitMs, () -> bounded.tryComplete(false));
    whole.onComplete(ar -> {
      wait.cancel();
      bounded.tryComplete(ar.succeeded() && ar.result());
    });
    return bounded.future();
  }

  /** The last checks, in this order so a refused retry never spends budget; null if the retry may go. */
  private String admit(long delayMs) {
    long deadline = exchange.deadlineNanos();
    if (deadline != 0 && System.nanoTime() + delayMs * 1_000_000 >= deadline) {
      return "deadline";
    }
    if (!budget.tryAcquireRetry()) {
      exchange.flag(ResponseFlag.RETRY_BUDGET_EXHAUSTED);
      meters.budgetExhausted();
      return "budget";
    }
    return null;
  }

  private void retry(String reason, long delayMs) {
    meters.retried(reason);
    exchange.addRetryReason(reason);
    if (body != null) {
      exchange.body(body.next());
    }
    timer = exchange.loop().schedule(Math.max(1, delayMs), () -> {
      timer = null;
      send();
    });
  }

  private void onCancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
      result.tryFail(lastFailure != null ? lastFailure : new IllegalStateException("client went away"));
    }
  }

  private long backoffMillis() {
    return backoff == null ? 0 : Math.min(config.backoffMax().toMillis(), backoff.apply(attempts));
  }

  private void skip(String reason) {
    meters.skipped(reason);
  }
}
