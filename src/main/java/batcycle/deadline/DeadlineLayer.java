package batcycle.deadline;

import batcycle.config.DeadlineConfig;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;

/**
 * Sets the exchange's deadlines: the whole-request deadline ({@code timeouts.request}, counted from the request's
 * arrival, across queueing, attempts and back-offs) and the per-try timeout ({@code timeouts.response}). A client
 * may shorten both with {@code X-Batcycle-Timeout} (it knows when its own caller gives up), never lengthen them: a
 * client must not be able to hold the app's capacity longer than the operator allows. The header is batcycle's
 * own and is removed before forwarding.
 */
public final class DeadlineLayer implements Layer {
  private final long requestMs;
  private final long perTryMs;

  public DeadlineLayer(DeadlineConfig config) {
    this.requestMs = config.request().toMillis();
    this.perTryMs = config.perTry().toMillis();
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    long requested = TimeoutHeader.parseMillis(exchange.headers().get(HeaderNames.X_BATCYCLE_TIMEOUT));
    exchange.headers().remove(HeaderNames.X_BATCYCLE_TIMEOUT);
    long request = requestMs;
    long perTry = perTryMs;
    if (requested > 0) {
      request = request == 0 ? requested : Math.min(request, requested);
      perTry = Math.min(perTry, requested);
    }
    if (request > 0) {
      exchange.deadlineNanos(exchange.startNanos() + request * 1_000_000);
    }
    exchange.tryTimeoutMs(perTry);
    return next.proceed(exchange);
  }
}
