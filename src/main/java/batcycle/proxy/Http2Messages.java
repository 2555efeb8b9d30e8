package batcycle.proxy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * What Netty's HTTP/2 stream codec hands over, made into what the rest of the proxy expects: a head without
 * Netty's own {@code x-http2-*} headers (the client could send them too), and a message that ends with its
 * HEADERS frame split into that head and an empty end, so it is never written out as head and body at once.
 */
final class Http2Messages {
  private Http2Messages() {}

  /** Removes the extension headers the conversion adds ({@code x-http2-stream-id}, {@code x-http2-scheme}, ...). */
  static void stripExtensionHeaders(HttpHeaders headers) {
    for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
      headers.remove(name.text());
    }
  }

  /** The head of a message that may be whole; the caller releases a whole message after taking its end. */
  static HttpMessage head(HttpMessage message) {
    stripExtensionHeaders(message.headers());
    if (message instanceof FullHttpRequest full) {
      return new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
    }
    if (message instanceof FullHttpResponse full) {
      return new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
    }
    return message;
  }

  /** The end of a whole message (its body, if any, and trailers), taking over its buffer. */
  static LastHttpContent end(FullHttpMessage whole) {
    return new DefaultLastHttpContent(whole.content(), whole.trailingHeaders());
  }
}
