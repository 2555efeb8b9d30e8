package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import batcycle.errors.UpstreamProtocolError;
import batcycle.errors.UpstreamTimeout;
import batcycle.errors.UpstreamUnavailable;
import batcycle.metrics.ProxyMeters;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.ResponseFlag;

/**
 * Bookkeeping of one attempt to the app: it is in flight from {@link #begin} until {@link #release} (the body was
 * read to the end or abandoned); its latency to the response head, or to the failure, is recorded by outcome.
 */
final class Attempt {
  private final Exchange exchange;
  private final ProxyMeters meters;
  private final long startNanos = System.nanoTime();
  private boolean recorded;
  private boolean released;

  private Attempt(Exchange exchange, ProxyMeters meters) {
    this.exchange = exchange;
    this.meters = meters;
  }

  static Attempt begin(Exchange exchange, ProxyMeters meters) {
    exchange.beginAttempt();
    meters.activeAttempts().incrementAndGet();
    return new Attempt(exchange, meters);
  }

  /** The app answered with a response head. */
  void responded(int status) {
    exchange.upstreamStatus(status);
    record(status >= 500 ? "http_5xx" : "success");
  }

  /** The attempt failed before or after its head; the failure is also flagged on the exchange. */
  void failed(ProxyFailure failure) {
    record(outcomeOf(failure));
    ResponseFlag flag = ResponseFlag.of(failure);
    // A client that went away makes batcycle reset the attempt itself: that is DC, not the app resetting (UR).
    if (flag != null && !exchange.isCancelled()) {
      exchange.flag(flag);
    }
    release();
  }

  /** The attempt no longer holds a connection; idempotent. */
  void release() {
    if (!released) {
      released = true;
      meters.activeAttempts().decrementAndGet();
      exchange.addUpstreamNanos(System.nanoTime() - startNanos);
    }
  }

  private void record(String outcome) {
    if (!recorded) {
      recorded = true;
      meters.recordAttempt(outcome, System.nanoTime() - startNanos, exchange.trace());
    }
  }

  private static String outcomeOf(ProxyFailure failure) {
    if (failure instanceof UpstreamTimeout) {
      return "timeout";
    }
    if (failure instanceof UpstreamUnavailable) {
      return "connect_error";
    }
    return failure instanceof UpstreamProtocolError ? "protocol_error" : "reset";
  }
}
