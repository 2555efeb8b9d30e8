package batcycle.pipeline;

import io.vertx.core.Future;

/** The rest of the pipeline, as seen from a layer. */
@FunctionalInterface
public interface Next {
  Future<UpstreamResponse> proceed(Exchange exchange);
}
