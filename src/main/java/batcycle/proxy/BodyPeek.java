package batcycle.proxy;

import batcycle.headers.HeaderNames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Finds out whether a request has a body before the head goes to the app. HTTP/1.1 says so in its head
 * (Content-Length or Transfer-Encoding); an HTTP/2 request without content-length only tells by its first frame
 * (DATA or END_STREAM), and an HTTP/1.1 app must then get either no body or a chunked one.
 */
final class BodyPeek {
  /** No body, or a body whose existence the head already states; nothing was consumed. */
  static final BodyPeek FROM_HEAD_EMPTY = new BodyPeek(false, null);
  static final BodyPeek FROM_HEAD_BODY = new BodyPeek(true, null);

  private final boolean hasBody;
  private final Buffer firstChunk;

  private BodyPeek(boolean hasBody, Buffer firstChunk) {
    this.hasBody = hasBody;
    this.firstChunk = firstChunk;
  }

  boolean hasBody() {
    return hasBody;
  }

  /** Bytes already read from the client that must be sent before the rest of the body, or null. */
  Buffer firstChunk() {
    return firstChunk;
  }

  /** Call on a paused request; leaves it paused. {@code http2App}: the app speaks HTTP/2 (upstreamProtocol h2c). */
  static Future<BodyPeek> of(HttpServerRequest request, boolean http2App) {
    String length = request.getHeader(HeaderNames.CONTENT_LENGTH);
    if (length != null) {
      return Future.succeededFuture(length.equals("0") ? FROM_HEAD_EMPTY : FROM_HEAD_BODY);
    }
    if (request.version() != HttpVersion.HTTP_2) {
      return Future.succeededFuture(
          request.getHeader(HeaderNames.TRANSFER_ENCODING) != null ? FROM_HEAD_BODY : FROM_HEAD_EMPTY);
    }
    if (request.isEnded()) {
      return Future.succeededFuture(FROM_HEAD_EMPTY);
    }
    if (http2App) {
      // HTTP/2 to the app needs no framing decision: an empty body is just an END_STREAM. Peeking would also stall
      // streams whose client waits for the server to speak first (gRPC bidi) until the client sends a message.
      return Future.succeededFuture(FROM_HEAD_BODY);
    }
    if (request.getHeader(HeaderNames.EXPECT) != null) {
      // The client waits for 100 Continue before its first DATA frame: peeking would wait forever.
      return Future.succeededFuture(FROM_HEAD_BODY);
    }
    Promise<BodyPeek> peek = Promise.promise();
    request.handler(chunk -> {
      request.pause();
      peek.tryComplete(new BodyPeek(true, chunk));
    });
    request.endHandler(v -> peek.tryComplete(FROM_HEAD_EMPTY));
    request.exceptionHandler(peek::tryFail);
    request.fetch(1);
    return peek.future();
  }
}
