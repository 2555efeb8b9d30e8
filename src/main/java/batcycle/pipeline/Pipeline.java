package batcycle.pipeline;

import io.vertx.core.Future;
import java.util.List;

/** Layers in order, outermost first, ending in the terminal step that talks to the app. */
public final class Pipeline {
  private final List<Layer> layers;
  private final Next terminal;

  private Pipeline(Next terminal, List<Layer> layers) {
    this.terminal = terminal;
    this.layers = List.copyOf(layers);
  }

  public static Pipeline of(Next terminal, Layer... layers) {
    return new Pipeline(terminal, List.of(layers));
  }

  public Future<UpstreamResponse> handle(Exchange exchange) {
    return step(0).proceed(exchange);
  }

  private Next step(int index) {
    if (index == layers.size()) {
      return terminal;
    }
    Layer layer = layers.get(index);
    return exchange -> {
      try {
        return layer.handle(exchange, step(index + 1));
      } catch (RuntimeException e) {
        // A bug in one layer becomes this request's failure, answered by FailureResponder, not a dead request.
        return Future.failedFuture(e);
      }
    };
  }
}
