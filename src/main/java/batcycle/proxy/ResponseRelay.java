package batcycle.proxy;

import batcycle.config.HeaderConfig;
import batcycle.errors.FailureResponder;
import batcycle.headers.ForwardedHeadersLayer;
import batcycle.headers.HeaderNames;
import batcycle.headers.HopByHop;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Outcome;
import batcycle.pipeline.ResponseFlag;
import batcycle.pipeline.UpstreamResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * Streams the app's response to the client with back-pressure, trailers included. If the app's body breaks
 * off, the client connection (or HTTP/2 stream) is reset: a truncated body must never look complete.
 */
final class ResponseRelay {
  private final HeaderConfig headerConfig;
  private final long goAwayGraceMs;
  private final long idleTimeoutMs;

  ResponseRelay(HeaderConfig headerConfig, long idleTimeoutMs, long goAwayGraceMs) {
    this.goAwayGraceMs = goAwayGraceMs;
    this.headerConfig = headerConfig;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  void relay(Exchange exchange, UpstreamResponse upstream) {
    HttpServerResponse out = exchange.inbound().response();
    HttpVersion version = exchange.inbound().version();
    out.setStatusCode(upstream.status());
    if (version != HttpVersion.HTTP_2 && upstream.statusMessage() != null
        && !upstream.statusMessage().equals(HttpResponseStatus.valueOf(upstream.status()).reasonPhrase())) {
      out.setStatusMessage(upstream.statusMessage()); // the app's own phrase; the standard one is the default
    }
    MultiMap headers = out.headers();
    copyHeaders(upstream.headers(), headers, exchange.requestId(),
        exchange.closesConnection() && version != HttpVersion.HTTP_2, headerConfig.via() ? version : null);
    boolean bodyless = exchange.method() == HttpMethod.HEAD || upstream.status() == 204
        || upstream.status() == 304 || upstream.status() < 200;
    if (!bodyless && !headers.contains(HeaderNames.CONTENT_LENGTH) && version == HttpVersion.HTTP_1_1) {
      out.setChunked(true);
    }
    // A pipe failure the app's body did not report is the client's write failing: the client went away (DC).
    boolean[] appFailed = new boolean[1];
    WatchedBody body = new WatchedBody(upstream.body(), () -> appFailed[0] = true);
    body.pipe().endOnSuccess(false).endOnFailure(false).to(out).onComplete(ar -> {
      if (ar.succeeded()) {
        upstream.finished().run();
        copyTrailers(upstream, out, version);
        out.end().onComplete(done -> {
          if (done.failed()) {
            // The client went away while the last bytes were on their way: the response was not delivered whole.
            exchange.flag(ResponseFlag.CLIENT_DISCONNECT);
          }
          exchange.end(new Outcome(upstream.status(), out.bytesWritten(), done.succeeded()));
          if (exchange.closesConnection()) {
            closeAfterResponse(exchange, version);
          }
        });
      } else {
        if (!appFailed[0]) {
          exchange.cancel();
        }
        upstream.abort().run();
        if (!exchange.isCancelled()) {
          ResponseFlag flag = ResponseFlag.of(UpstreamFailures.exchangeFailure(ar.cause(), idleTimeoutMs));
          if (flag != null) {
            exchange.flag(flag);
          }
        }
        if (!out.headWritten() && !out.closed()) {
          // The body broke before its first byte, so nothing reached the client yet: answer 502/504 like any
          // failure before the head instead of cutting the connection without a word. The app's headers no
          // longer describe what is sent.
          headers.clear();
          int status = FailureResponder.respond(exchange.inbound(), exchange.requestId(),
              UpstreamFailures.exchangeFailure(ar.cause(), idleTimeoutMs));
          exchange.end(new Outcome(status, 0, status != 0));
        } else {
          out.reset();
          exchange.end(new Outcome(upstream.status(), out.bytesWritten(), false));
        }
      }
    });
  }

  /**
   * The app's response headers onto the client's response: without hop-by-hop headers, with the request id,
   * {@code Connection: close} if {@code close}, and a Via entry when {@code viaVersion} is not null.
   */
  static void copyHeaders(MultiMap app, MultiMap out, String requestId, boolean close, HttpVersion viaVersion) {
    out.addAll(app);
    HopByHop.strip(out, false);
    out.set(HeaderNames.X_REQUEST_ID, requestId);
    if (close) {
      out.set(HeaderNames.CONNECTION, "close");
    }
    if (viaVersion != null) {
      ForwardedHeadersLayer.appendVia(out, viaVersion);
    }
  }

  /**
   * HTTP/1.x: close the connection (the response said so). HTTP/2: GOAWAY, letting the connection's other
   * streams finish within the drain timeout.
   */
  private void closeAfterResponse(Exchange exchange, HttpVersion version) {
    if (version == HttpVersion.HTTP_2) {
      exchange.inbound().connection().shutdown(goAwayGraceMs, TimeUnit.MILLISECONDS);
    } else {
      exchange.inbound().connection().close();
    }
  }

  private static void copyTrailers(UpstreamResponse upstream, HttpServerResponse out, HttpVersion version) {
    MultiMap trailers = upstream.trailers().get();
    // Trailers only exist on HTTP/2 streams and chunked HTTP/1.1 bodies.
    if (trailers != null && !trailers.isEmpty() && (version == HttpVersion.HTTP_2 || out.isChunked())) {
      out.trailers().addAll(trailers);
    }
  }
}
