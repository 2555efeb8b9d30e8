package batcycle.proxy;

import batcycle.config.UpstreamProtocol;
import batcycle.errors.BadRequest;
import batcycle.headers.HeaderNames;
import batcycle.headers.HopByHop;
import batcycle.headers.TraceContext;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Turns an inbound request into the request for the app, or rejects it: parse failures (400, 414, 431), an invalid
 * Host or target (400), CONNECT (501). Builds the outbound head without hop-by-hop headers, carries or starts the
 * W3C trace, and learns whether an HTTP/2 request has a body. Runs inside the pipeline, after the layers that log
 * and count, so rejected requests are logged and counted like any other.
 */
final class RequestPreparation implements Layer {
  private final boolean startTraces;
  private final boolean upstreamIsH2c;

  RequestPreparation(boolean startTraces, UpstreamProtocol upstreamProtocol) {
    this.startTraces = startTraces;
    this.upstreamIsH2c = upstreamProtocol == UpstreamProtocol.H2C;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    HttpServerRequest request = exchange.inbound();
    if (request.decoderResult().isFailure()) {
      return Future.failedFuture(parseFailure(request.decoderResult().cause()));
    }
    RequestTarget.Checked target = RequestTarget.check(request);
    if (target.problem() != null) {
      return Future.failedFuture(new BadRequest(target.status(), target.problem()));
    }
    // Not a validating header map: Netty validated what arrived, and the copy onto the request to the app (in
    // UpstreamForwarder) validates everything once more, including what layers add here.
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    boolean webSocket = request.version() == HttpVersion.HTTP_1_1 && request.method() == HttpMethod.GET
        && HopByHop.isWebSocketUpgrade(request.headers());
    HopByHop.strip(headers, true);
    // batcycle answers Expect itself once the app is connected (see UpstreamForwarder), like Envoy does.
    headers.remove(HeaderNames.EXPECT);
    headers.set(HeaderNames.X_REQUEST_ID, exchange.requestId());
    if (target.host() != null) {
      headers.set(HeaderNames.HOST, target.host());
    }
    exchange.trace(trace(request, headers));
    return BodyPeek.of(request, upstreamIsH2c).compose(peek -> {
      exchange.prepare(target.uri(), headers, peek.hasBody(), peek.firstChunk(), webSocket);
      return next.proceed(exchange);
    });
  }

  /** The client's trace, passed on untouched; or, if configured and there is none, a new one for the app. */
  private TraceContext trace(HttpServerRequest request, MultiMap outbound) {
    TraceContext trace = TraceContext.parse(request.getHeader(HeaderNames.TRACEPARENT));
    if (trace == null && startTraces) {
      trace = TraceContext.start(true);
      outbound.set(HeaderNames.TRACEPARENT, trace.header());
      outbound.remove(HeaderNames.TRACESTATE); // state without a valid parent is meaningless (W3C §3.3)
    }
    return trace;
  }

  private static BadRequest parseFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new BadRequest(414, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      return new BadRequest(431, "request header section too large");
    }
    return new BadRequest(400, "malformed request");
  }
}
