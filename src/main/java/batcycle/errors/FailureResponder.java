package batcycle.errors;

import batcycle.headers.HeaderNames;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only mapping from a failure to a client response: status, a short text body naming the request id, and
 * {@code x-batcycle-error: <code>}. Anything that is not a {@link ProxyFailure} is a bug or an unforeseen error:
 * 502, logged at WARN with its cause.
 */
public final class FailureResponder {
  private static final Logger LOG = LoggerFactory.getLogger(FailureResponder.class);

  private FailureResponder() {}

  /** Answers the client, or aborts the response if its head already went out. Returns the status sent (0 if none). */
  public static int respond(HttpServerRequest request, String requestId, Throwable failure) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.closed()) {
      // Too late for a status: cutting the connection is the only honest signal (never a body that looks whole).
      response.reset();
      return 0;
    }
    ProxyFailure known = failure instanceof ProxyFailure pf ? pf : null;
    int status = known != null ? known.status() : 502;
    String code = known != null ? known.code() : "proxy_error";
    if (known == null) {
      LOG.warn("request {} failed unexpectedly: {}", requestId, failure.toString(), failure);
    } else {
      LOG.debug("request {} answered {} ({}): {}", requestId, status, code, failure.getMessage());
    }
    if (known != null && known.retryAfterSeconds() >= 0) {
      // Overload, an open circuit and the rate limit all tell the client when trying again makes sense.
      response.headers().set(HeaderNames.RETRY_AFTER, Long.toString(known.retryAfterSeconds()));
    }
    return send(request, requestId, status, code, known != null ? known.getMessage() : "proxy error");
  }

  /** Writes a locally generated error response. */
  public static int send(HttpServerRequest request, String requestId, int status, String code, String detail) {
    HttpServerResponse response = request.response();
    String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
    // Set the reason too: one copied from the app's response (before its body failed) would otherwise stay.
    response.setStatusCode(status).setStatusMessage(reason);
    response.headers()
        .set("content-type", "text/plain; charset=utf-8")
        .set(HeaderNames.X_BATCYCLE_ERROR, code)
        .set(HeaderNames.X_REQUEST_ID, requestId);
    // An unparsable request, or a body still on the wire, makes the connection unusable: reading on would take
    // leftover bytes for a new request (the essence of request smuggling).
    boolean close = request.version() != HttpVersion.HTTP_2
        && (!request.isEnded() || request.decoderResult().isFailure());
    if (close) {
      response.headers().set(HeaderNames.CONNECTION, "close");
    }
    String body = status + " " + reason + ": " + detail + " (request id " + requestId + ")\n";
    response.end(body).onComplete(done -> {
      if (close) {
        request.connection().close();
      }
    });
    return status;
  }
}
