package batcycle.proxy;

import batcycle.config.UpstreamConfig;
import batcycle.errors.BadRequest;
import batcycle.errors.ProxyFailure;
import batcycle.errors.UpstreamTimeout;
import batcycle.errors.UpstreamUnavailable;
import batcycle.metrics.ProxyMeters;
import batcycle.headers.HeaderNames;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal step: sends one attempt of the exchange to the app and streams the request body with
 * back-pressure. The body stays paused until a connection to the app is established, so a connect failure
 * loses no bytes. Completes with the response head; the body is left paused for the caller.
 */
public final class UpstreamForwarder implements Next {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarder.class);
  private final LoopTimeouts timeouts;
  /** {@code timeouts.upstreamIdle} in milliseconds, read once: every attempt needs it. */
  private final long idleMs;
  private final HttpClient client;
  private final UpstreamConfig config;
  private final SocketAddress address;
  private final ProxyMeters meters;

  /** {@code timeouts}: those of the event loop this forwarder and its client's pool run on. */
  UpstreamForwarder(LoopTimeouts timeouts, HttpClient client, UpstreamConfig config, ProxyMeters meters) {
    this.meters = meters;
    this.timeouts = timeouts;
    this.idleMs = config.idleTimeout().toMillis();
    this.client = client;
    this.config = config;
    this.address = SocketAddress.inetSocketAddress(config.port(), config.host());
  }

  @Override
  public Future<UpstreamResponse> proceed(Exchange exchange) {
    Attempt attempt = Attempt.begin(exchange, meters);
    Promise<UpstreamResponse> result = Promise.promise();
    long perTryMs = exchange.tryTimeoutMs() > 0 ? exchange.tryTimeoutMs() : config.responseTimeout().toMillis();
    long deadline = exchange.deadlineNanos();
    long remainingMs = deadline == 0 ? Long.MAX_VALUE : (deadline - System.nanoTime()) / 1_000_000;
    if (remainingMs <= 0) {
      fail(result, attempt, new UpstreamTimeout(UpstreamTimeout.Phase.RESPONSE,
          "the request deadline passed before an attempt to the app could start"));
      return result.future();
    }
    long timeoutMs = Math.min(perTryMs, remainingMs);
    String limit = remainingMs < perTryMs ? " (the request deadline)" : "";
    RequestOptions options = new RequestOptions()
        .setServer(address)
        .setMethod(exchange.method())
        .setURI(exchange.uri());
    if (idleMs > 0 && idleMs < timeoutMs) {
      // Vert.x's idle timer runs until the response head, as does the per-try timer below: a second timer per
      // request is only worth its cost when it can fire first.
      options.setIdleTimeout(idleMs);
    }
    HttpClientRequest[] current = new HttpClientRequest[1];
    // The per-try timeout covers the whole attempt: waiting for a pooled connection, connecting, and the response
    // head. Before a connection exists, nothing has reached the app (a connect timeout: retryable for any request).
    LoopTimeouts.Timeout timer = timeouts.start(timeoutMs, () -> {
      ProxyFailure timeout = current[0] == null
          ? new UpstreamTimeout(UpstreamTimeout.Phase.CONNECT, "no connection to the app within " + timeoutMs + " ms"
              + limit)
          : new UpstreamTimeout(UpstreamTimeout.Phase.RESPONSE, "no response from the app within " + timeoutMs
              + " ms" + limit);
      if (fail(result, attempt, timeout) && current[0] != null) {
        current[0].reset();
      }
    });
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        timer.cancel();
        fail(result, attempt, UpstreamFailures.connectFailure(ar.cause(), config.connectTimeout().toMillis()));
      } else if (result.future().isComplete()) {
        ar.result().reset(); // the attempt timed out while waiting for this connection: never send it
      } else {
        current[0] = ar.result();
        send(exchange, ar.result(), attempt, result, timer);
      }
    });
    return result.future();
  }

  private void send(Exchange exchange, HttpClientRequest request, Attempt attempt, Promise<UpstreamResponse> result,
                    LoopTimeouts.Timeout timer) {
    // Every failure of the request also fails request.response(), handled below; without a handler of its own
    // Vert.x logs each one at ERROR, so a client aborting an upload would page someone.
    request.exceptionHandler(cause -> LOG.debug("request {} to the app failed: {}", exchange.requestId(),
        cause.toString()));
    try {
      copyHead(exchange, request);
    } catch (IllegalArgumentException e) {
      // Vert.x validates every header value on this copy. What arrived passed the same check in the decoder, so
      // this would be a layer's bug; answer it instead of leaving the request to its timeout.
      timer.cancel();
      request.reset();
      fail(result, attempt, new BadRequest(400, "invalid header: " + e.getMessage()));
      return;
    }
    exchange.onCancel(request::reset);
    if (expectsContinue(exchange) && exchange.markContinueSent()) {
      // The connection to the app is up: now it is worth the client sending its body (RFC 9110 §10.1.1).
      exchange.inbound().response().writeContinue();
    }
    // The write that carries the request head; if it fails, nothing of the request reached the app.
    AtomicReference<Future<Void>> head = new AtomicReference<>();
    request.response().onComplete(ar -> {
      timer.cancel();
      if (ar.succeeded()) {
        HttpClientResponse response = ar.result().pause();
        ReadStream<Buffer> body = idleMs > 0 ? new IdleTimeoutBody(timeouts, response, idleMs, request::reset) : response;
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
        fail(result, attempt, failure(ar.cause(), head.get()));
      }
    });
    if (exchange.bodyPrefix() != null) {
      head.set(request.write(exchange.bodyPrefix()));
    } else if (exchange.hasBody()) {
      // Vert.x sends the head only with the first body bytes; a streaming client (gRPC bidi) may wait for the
      // app to speak first, so the app must get the head now.
      head.set(request.sendHead());
    }
    if (exchange.body() == exchange.inbound() && exchange.inbound().isEnded()) {
      // Nothing left to read: BodyPeek already consumed the END_STREAM of a body-less HTTP/2 request (or a retry
      // follows an attempt that read a body-less request to its end), and Vert.x's HTTP/2 request throws on
      // pause() (which pipe() calls) once it has ended.
      Future<Void> end = request.end();
      head.compareAndSet(null, end);
      return;
    }
    // The client's body failing means the client went away (DC), not the app: cancel before the pipe fails.
    Future<Void> piped = new WatchedBody(exchange.body(), exchange::cancel).pipe().endOnFailure(false).to(request);
    head.compareAndSet(null, piped); // no body: the head goes out with the end
    piped.onFailure(cause -> {
      // The client's upload broke off: never let the app see a shorter body as complete.
      request.reset();
      fail(result, attempt, failure(cause, head.get()));
    });
  }

  /**
   * A failure after a connection was obtained. If not even the request head could be written, the pooled
   * connection was found closed and nothing reached the app: that is reported like a connect failure, which may
   * be retried for any request. A head write still pending counts as sent (never retry what may have arrived).
   */
  private ProxyFailure failure(Throwable cause, Future<Void> head) {
    if (head != null && head.failed() && !(cause instanceof ProxyFailure)) {
      return new UpstreamUnavailable("the pooled connection to the app was closed before the request was written",
          cause);
    }
    return UpstreamFailures.exchangeFailure(cause, idleMs);
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
