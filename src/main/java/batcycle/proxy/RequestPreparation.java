package batcycle.proxy;

import batcycle.config.UpstreamProtocol;
import batcycle.errors.ProxyFailure;
import batcycle.headers.HeaderNames;
import batcycle.headers.HopByHop;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.Protocol;
import batcycle.pipeline.TraceContext;
import batcycle.pipeline.UpstreamResponse;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;

/**
 * Turns the request as received into the request for the app, in place, or rejects it: parse failures (400, 414,
 * 431), more header fields than {@code limits.maxHeaderCount} (431), an invalid Host or target (400), CONNECT (501).
 * Strips hop-by-hop headers, sets the request id, carries or starts the W3C trace, and learns whether the request has a body (an HTTP/2 request without content-length only
 * tells by its first frame, and an HTTP/1.1 app must then get either no body or a chunked one). Runs inside the
 * pipeline, after the layers that log and count, so rejected requests are logged and counted like any other.
 */
final class RequestPreparation implements Layer {
  private final boolean startTraces;
  private final boolean upstreamIsH2c;
  private final boolean ownSpan;
  private final int maxHeaderCount;

  /**
   * {@code upstreamIsH2}: the upstream always speaks HTTP/2; {@code ownSpan}: with tracing on, batcycle sends its own
   * span id as the parent (outbound: batcycle's hop becomes a span of the app's trace); {@code maxHeaderCount}: more
   * header fields get 431.
   */
  RequestPreparation(boolean startTraces, boolean upstreamIsH2, boolean ownSpan, int maxHeaderCount) {
    this.startTraces = startTraces;
    this.upstreamIsH2c = upstreamIsH2;
    this.ownSpan = ownSpan;
    this.maxHeaderCount = maxHeaderCount;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    HttpRequest request = exchange.head();
    if (request.decoderResult().isFailure()) {
      return Future.failedFuture(parseFailure(request.decoderResult().cause()));
    }
    HttpHeaders headers = request.headers();
    if (headers.size() > maxHeaderCount) {
      // The size limit alone lets thousands of small fields through, each a cost to every hop after this one.
      return Future.failedFuture(ProxyFailure.badRequest(431, "more than " + maxHeaderCount + " header fields"));
    }
    RequestTarget.Checked target = RequestTarget.check(exchange.method(), exchange.protocol(), headers,
        request.uri());
    if (target.problem() != null) {
      return Future.failedFuture(ProxyFailure.badRequest(target.status(), target.problem()));
    }
    exchange.webSocket(exchange.protocol() == Protocol.HTTP_1_1 && HttpMethod.GET.equals(exchange.method())
        && HopByHop.isWebSocketUpgrade(headers));
    Boolean declared = declaredBody(exchange);
    // An HTTP/1.1 app gets no TE at all: batcycle decodes and re-frames the body itself, and trailers on the way
    // back are relayed whatever the app was told.
    HopByHop.strip(headers, upstreamIsH2c && !exchange.isWebSocket());
    // batcycle answers Expect itself once the app is connected (the client's body is asked for then), like Envoy.
    headers.remove(HeaderNames.EXPECT);
    headers.set(HeaderNames.X_REQUEST_ID, exchange.requestId());
    if (target.host() != null) {
      headers.set(HeaderNames.HOST, target.host());
    }
    request.setUri(target.uri());
    exchange.trace(trace(headers));
    if (declared != null) {
      exchange.hasBody(declared);
      return next.proceed(exchange);
    }
    return ((ChannelBody) exchange.body()).peek().compose(hasData -> {
      exchange.hasBody(hasData);
      return next.proceed(exchange);
    });
  }

  /** Whether the head says there is a body; null when only the first frame of an HTTP/2 stream can tell. */
  private Boolean declaredBody(Exchange exchange) {
    HttpHeaders headers = exchange.headers();
    String length = headers.get(HeaderNames.CONTENT_LENGTH);
    if (length != null) {
      return !length.equals("0");
    }
    if (exchange.protocol() != Protocol.HTTP_2) {
      return headers.contains(HeaderNames.TRANSFER_ENCODING);
    }
    ChannelBody body = (ChannelBody) exchange.body();
    if (body.isReceived() && !body.hasQueuedData()) {
      return false; // END_STREAM came with the HEADERS
    }
    // HTTP/2 to the app needs no framing decision: an empty body is just an END_STREAM. Peeking would also stall
    // streams whose client waits for the server to speak first (gRPC bidi), and a client waiting for
    // 100 Continue sends no DATA before it.
    if (upstreamIsH2c || headers.contains(HeaderNames.EXPECT)) {
      return true;
    }
    return null;
  }

  /**
   * The client's trace, passed on untouched; or, if configured and there is none, a new one for the app. Outbound
   * with tracing on, the app's trace continues with batcycle's own span id (its tracestate kept).
   */
  private TraceContext trace(HttpHeaders outbound) {
    TraceContext trace = TraceContext.parse(outbound.get(HeaderNames.TRACEPARENT));
    if (trace != null && ownSpan && startTraces) {
      trace = trace.child();
      outbound.set(HeaderNames.TRACEPARENT, trace.header());
      return trace;
    }
    if (trace == null && startTraces) {
      trace = TraceContext.start(true);
      outbound.set(HeaderNames.TRACEPARENT, trace.header());
      outbound.remove(HeaderNames.TRACESTATE); // state without a valid parent is meaningless (W3C §3.3)
    }
    return trace;
  }

  private static ProxyFailure parseFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return ProxyFailure.badRequest(414, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      return ProxyFailure.badRequest(431, "request header section too large");
    }
    return ProxyFailure.badRequest(400, "malformed request");
  }
}
