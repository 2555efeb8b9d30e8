package batcycle.headers;

import batcycle.config.HeaderConfig;
import batcycle.pipeline.Protocol;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The header policy for the app's responses, applied in place before they are relayed: hop-by-hop headers go,
 * the request id is returned, and a Via entry is added when configured.
 */
public final class ResponseHeaders {
  private final boolean via;

  public ResponseHeaders(HeaderConfig config) {
    this.via = config.via();
  }

  public void apply(HttpHeaders headers, String requestId, Protocol clientProtocol) {
    HopByHop.strip(headers, false);
    headers.set(HeaderNames.X_REQUEST_ID, requestId);
    if (via) {
      ForwardedHeadersLayer.appendVia(headers, clientProtocol);
    }
  }
}
