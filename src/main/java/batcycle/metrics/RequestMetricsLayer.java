package batcycle.metrics;

import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.Outcome;
import batcycle.errors.ResponseFlag;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;

/** Counts requests in flight and, when each ends, records its latency, status, outcome and bytes. */
public final class RequestMetricsLayer implements Layer {
  private final ProxyMeters meters;

  public RequestMetricsLayer(ProxyMeters meters) {
    this.meters = meters;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    meters.activeRequests().incrementAndGet();
    exchange.onEnd(outcome -> record(exchange, outcome));
    return next.proceed(exchange);
  }

  private void record(Exchange exchange, Outcome outcome) {
    meters.activeRequests().decrementAndGet();
    if (exchange.failure() != null && exchange.failure().isRejection()) {
      meters.recordRejection(exchange.failure().code());
    }
    meters.recordRequest(exchange.method().name(), outcome.status(), outcomeOf(exchange, outcome), exchange.uri(),
        System.nanoTime() - exchange.startNanos(), exchange.upstreamNanos(), exchange.bytesIn(),
        outcome.bytesOut(), exchange.trace());
  }

  static String outcomeOf(Exchange exchange, Outcome outcome) {
    if (!outcome.completed()) {
      return MeterNames.OUTCOME_ABORTED;
    }
    if (exchange.flags().contains(ResponseFlag.LOCAL_REPLY)) {
      return MeterNames.OUTCOME_LOCAL;
    }
    if (outcome.status() >= 500) {
      return MeterNames.OUTCOME_SERVER_ERROR;
    }
    return outcome.status() >= 400 ? MeterNames.OUTCOME_CLIENT_ERROR : MeterNames.OUTCOME_SUCCESS;
  }
}
