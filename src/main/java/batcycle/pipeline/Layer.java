package batcycle.pipeline;

import io.vertx.core.Future;

/** One cross-cutting concern wrapped around the forwarding of a single request. */
@FunctionalInterface
public interface Layer {
  /** Usually calls {@code next.proceed(exchange)} exactly once; rejects with a failed future, never writes. */
  Future<UpstreamResponse> handle(Exchange exchange, Next next);
}
