package batcycle.proxy;

import batcycle.errors.ProxyFailure;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response batcycle sends itself for a failure: the failure kind's status, a short text body naming the
 * request id, {@code x-batcycle-error: <code>}, and {@code Retry-After} when the kind tells the client when to try
 * again. Anything that is not a {@link ProxyFailure} is a bug or an unforeseen error: 502 {@code proxy_error},
 * logged at WARN with its cause.
 */
final class LocalReply {
  private static final Logger LOG = LoggerFactory.getLogger(LocalReply.class);
  private static final String CONTENT_TYPE = "text/plain; charset=utf-8";

  private final int status;
  private final String code;
  private final String body;
  private final String requestId;
  private final long retryAfterSeconds;

  private LocalReply(int status, String code, String detail, String requestId, long retryAfterSeconds) {
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
    this.body = status + " " + HttpResponseStatus.valueOf(status).reasonPhrase() + ": " + detail + " (request id "
        + requestId + ")\n";
  }

  /** {@code failure}: the known failure, or null for an unexpected {@code cause}. */
  static LocalReply of(ProxyFailure failure, Throwable cause, String requestId) {
    if (failure == null) {
      LOG.warn("request {} failed unexpectedly: {}", requestId, cause.toString(), cause);
      return new LocalReply(502, "proxy_error", "proxy error", requestId, -1);
    }
    LOG.debug("request {} answered {} ({}): {}", requestId, failure.status(), failure.code(), failure.getMessage());
    return new LocalReply(failure.status(), failure.code(), failure.getMessage(), requestId,
        failure.retryAfterSeconds());
  }

  int status() {
    return status;
  }

  /** The whole response; {@code close} adds {@code Connection: close} on HTTP/1. */
  FullHttpResponse response(Protocol protocol, boolean close) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    var headers = response.headers();
    headers.set(HeaderNames.CONTENT_TYPE, CONTENT_TYPE)
        .set(HeaderNames.X_BATCYCLE_ERROR, code)
        .set(HeaderNames.X_REQUEST_ID, requestId)
        .setInt(HeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    if (retryAfterSeconds >= 0) {
      // Overload, an open circuit and the rate limit all tell the client when trying again makes sense.
      headers.set(HeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    if (close && protocol != Protocol.HTTP_2) {
      headers.set(HeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }
}
