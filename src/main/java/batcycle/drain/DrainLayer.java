package batcycle.drain;

import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;

/**
 * While draining, every response tells its client not to reuse the connection: HTTP/1.x gets
 * {@code Connection: close} (and the connection is closed after the response), HTTP/2 a GOAWAY once the response
 * is complete (see {@code ResponseRelay}). Clients then open
 * new connections, which reach other pods once the endpoints are updated, instead of racing a closing socket.
 * Requests themselves are still served: draining is not overload.
 */
public final class DrainLayer implements Layer {
  private final Drain drain;

  public DrainLayer(Drain drain) {
    this.drain = drain;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (drain.isDraining()) {
      exchange.closeConnection();
    }
    return next.proceed(exchange);
  }
}
