package batcycle.proxy;

import batcycle.config.UpstreamConfig;
import batcycle.errors.ProxyFailure;
import batcycle.errors.UpstreamTimeout;
import batcycle.metrics.ProxyMeters;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal step: sends one attempt of the exchange to the app and streams the request body with
 * back-pressure. The body stays paused until a connection to the app is established, so a connect failure
 * loses no bytes. Completes with the response head; the body is left paused for the caller.
 */
public final class UpstreamForwarder implements Next {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarder.class);
  private final Vertx vertx;
  private final HttpClient client;
  private final UpstreamConfig config;
  private final SocketAddress address;
  private final ProxyMeters meters;

  public UpstreamForwarder(Vertx vertx, HttpClient client, UpstreamConfig config, ProxyMeters meters) {
    this.meters = meters;
    this.vertx = vertx;
    this.client = client;
    this.config = config;
    this.address = SocketAddress.inetSocketAddress(config.port(), config.host());
  }

  @Override
  public Future<UpstreamResponse> proceed(Exchange exchange) {
    Attempt attempt = Attempt.begin(exchange, meters);
    RequestOptions options = new RequestOptions()
        .setServer(address)
        .setMethod(exchange.method())
        .setURI(exchange.uri())
        .setIdleTimeout(config.idleTimeout().toMillis());
    return client.request(options)
        .recover(cause -> {
          ProxyFailure failure = UpstreamFailures.connectFailure(cause, config.connectTimeout().toMillis());
          attempt.failed(failure);
          return Future.failedFuture(failure);
        })
        .compose(request -> send(exchange, request, attempt));
  }

  private Future<UpstreamResponse> send(Exchange exchange, HttpClientRequest request, Attempt attempt) {
    Promise<UpstreamResponse> result = Promise.promise();
    // Every failure of the request also fails request.response(), handled below; without a handler of its own
    // Vert.x logs each one at ERROR, so a client aborting an upload would page someone.
    request.exceptionHandler(cause -> LOG.debug("request {} to the app failed: {}", exchange.requestId(),
        cause.toString()));
    copyHead(exchange, request);
    exchange.onCancel(request::reset);
    if (expectsContinue(exchange)) {
      // The connection to the app is up: now it is worth the client sending its body (RFC 9110 §10.1.1).
      exchange.inbound().response().writeContinue();
    }
    long timer = vertx.setTimer(config.responseTimeout().toMillis(), id -> {
      if (fail(result, attempt, new UpstreamTimeout(UpstreamTimeout.Phase.RESPONSE,
          "no response from the app within " + config.responseTimeout().toMillis() + " ms"))) {
        request.reset();
      }
    });
    request.response().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        HttpClientResponse response = ar.result().pause();
        long idleMs = config.idleTimeout().toMillis();
        ReadStream<Buffer> body = idleMs > 0 ? new IdleTimeoutBody(vertx, response, idleMs, request::reset) : response;
        if (result.tryComplete(new UpstreamResponse(response.statusCode(), response.statusMessage(),
            response.headers(), body, response::trailers, attempt::release, () -> {
              request.reset();
              attempt.release();
            }))) {
          attempt.responded(response.statusCode());
        } else {
          request.reset(); // the timeout won the race: drop this late response
        }
      } else {
        fail(result, attempt, UpstreamFailures.exchangeFailure(ar.cause(), config.idleTimeout().toMillis()));
      }
    });
    if (exchange.bodyPrefix() != null) {
      request.write(exchange.bodyPrefix());
    } else if (exchange.hasBody()) {
      // Vert.x sends the head only with the first body bytes; a streaming client (gRPC bidi) may wait for the
      // app to speak first, so the app must get the head now.
      request.sendHead();
    }
    if (exchange.inbound().isEnded() && exchange.bodyPrefix() == null) {
      // Nothing left to read: BodyPeek already consumed the END_STREAM of a body-less HTTP/2 request, and Vert.x's
      // HTTP/2 request throws on pause() (which pipe() calls) once it has ended.
      request.end();
      return result.future();
    }
    exchange.body().pipe().endOnFailure(false).to(request).onFailure(cause -> {
      // The client's upload broke off: never let the app see a shorter body as complete.
      request.reset();
      fail(result, attempt, UpstreamFailures.exchangeFailure(cause, config.idleTimeout().toMillis()));
    });
    return result.future();
  }

  /** Fails the attempt unless it already completed; true if this call decided the outcome. */
  private static boolean fail(Promise<UpstreamResponse> result, Attempt attempt, ProxyFailure failure) {
    if (result.future().isComplete()) {
      return false;
    }
    // Account for the attempt before failing the promise: failing it answers the client and ends the exchange
    // synchronously, so an attempt recorded after that was missing from the request log (upstream_ms 0 on a
    // timeout) and its time was counted as batcycle's own overhead. Event-loop confined, so no race.
    attempt.failed(failure);
    result.fail(failure);
    return true;
  }

  /** The exchange's outbound headers onto an upstream request, the Host going in as its authority. */
  static void copyHeaders(Exchange exchange, HttpClientRequest request, UpstreamConfig config) {
    request.headers().setAll(exchange.headers());
    String host = request.headers().get(HeaderNames.HOST);
    request.headers().remove(HeaderNames.HOST);
    HostAndPort authority = host == null ? null : HostAndPort.parseAuthority(host, -1);
    request.authority(authority != null ? authority : HostAndPort.parseAuthority(config.authority(), -1));
  }

  private void copyHead(Exchange exchange, HttpClientRequest request) {
    copyHeaders(exchange, request, config);
    boolean lengthKnown = request.headers().contains(HeaderNames.CONTENT_LENGTH);
    // Also on HTTP/2: Vert.x refuses a write without content-length unless "chunked" is set, and on an HTTP/2
    // stream that flag only lifts the check (no transfer-encoding goes on the wire; DATA frames carry the body).
    if (!lengthKnown && exchange.hasBody()) {
      request.setChunked(true);
    }
  }

  private static boolean expectsContinue(Exchange exchange) {
    String expect = exchange.inbound().getHeader(HeaderNames.EXPECT);
    return expect != null && expect.equalsIgnoreCase("100-continue") && !exchange.inbound().isEnded();
  }
}
