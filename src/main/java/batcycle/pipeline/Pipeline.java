package batcycle.pipeline;

import io.vertx.core.Future;

/**
 * Layers in order, outermost first, ending in the terminal step that talks to the app. The chain of {@link Next}
 * steps is linked once, when the pipeline is built, so a request allocates nothing to walk it. A layer may call
 * its {@code next} more than once (retries), each time entering the rest of the chain afresh.
 */
public final class Pipeline {
  private final Next entry;

  private Pipeline(Next entry) {
    this.entry = entry;
  }

  public static Pipeline of(Next terminal, Layer... layers) {
    Next next = terminal;
    for (int i = layers.length - 1; i >= 0; i--) {
      next = guarded(layers[i], next);
    }
    return new Pipeline(next);
  }

  public Future<UpstreamResponse> handle(Exchange exchange) {
    return entry.proceed(exchange);
  }

  private static Next guarded(Layer layer, Next next) {
    return exchange -> {
      try {
        return layer.handle(exchange, next);
      } catch (RuntimeException e) {
        // A bug in one layer becomes this request's failure, answered by FailureResponder, not a dead request.
        return Future.failedFuture(e);
      }
    };
  }
}
