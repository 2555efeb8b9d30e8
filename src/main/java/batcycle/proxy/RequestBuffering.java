package batcycle.proxy;

import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.Protocol;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;

/**
 * Reads a request body ahead, up to {@code buffer.requestBody}, before the request takes anything the app's other
 * clients need (a concurrency permit, a connection to the app): a client that sends its body slowly then only
 * holds its own connection and at most that many bytes, and the client pace ({@link ClientPace}) cuts it off if it
 * is too slow. nginx reads whole bodies before it connects upstream for the same reason. A body that ends within
 * the bound goes to the app in one go; a longer one streams on from there, as before. An {@code Expect:
 * 100-continue} is answered as the reading starts, as nginx and Envoy do.
 *
 * <p>Streams pass at once: gRPC calls ({@link ClientPace#isInteractive}), and HTTP/2 requests of no declared length
 * to an HTTP/2 upstream, whose client may wait for the app to speak before it sends more (a bidirectional stream). They
 * still take a permit only once they reach this point, and the client pace still applies to them.
 */
final class RequestBuffering implements Layer {
  private final int bound;
  private final boolean upstreamMaySpeakHttp2;

  /** {@code upstreamMaySpeakHttp2}: the upstream speaks HTTP/2 (h2c, or h2 over TLS), or may (ALPN). */
  RequestBuffering(int bound, boolean upstreamMaySpeakHttp2) {
    this.bound = bound;
    this.upstreamMaySpeakHttp2 = upstreamMaySpeakHttp2;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (bound == 0 || !exchange.hasBody() || !(exchange.body() instanceof ChannelBody body) || body.isReceived()
        || isStream(exchange)) {
      return next.proceed(exchange); // nothing to wait for (no body, or all of it is here already), or a stream
    }
    ReadAhead ahead = new ReadAhead(body, bound);
    exchange.body(ahead);
    exchange.onEnd(outcome -> ahead.release());
    return ahead.fill().compose(filled -> next.proceed(exchange));
  }

  private boolean isStream(Exchange exchange) {
    return ClientPace.isInteractive(exchange.headers()) || upstreamMaySpeakHttp2 && exchange.protocol() == Protocol.HTTP_2
        && !exchange.headers().contains(HeaderNames.CONTENT_LENGTH);
  }
}
