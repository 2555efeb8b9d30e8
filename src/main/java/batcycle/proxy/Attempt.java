package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Body;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.LoopScheduler;
import batcycle.pipeline.UpstreamResponse;
import batcycle.upstream.Endpoint;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * One attempt to the app: waits for a connection (or stream), sends the request, and completes with the response
 * head, or with the failure classified where it happened. One timer covers the whole attempt up to the response
 * head: the per-try timeout (pool wait and connect included, never past the request deadline) and, while the
 * request is under way, the idle timeout. From {@link #start} until its response was read whole or abandoned the
 * attempt counts as active, and its time is the app's share of the exchange.
 *
 * <p>Confined to the event loop of the exchange.
 */
final class Attempt implements UpstreamResponse {
  private final Exchange exchange;
  private final UpstreamForwarder forwarder;
  private final Promise<UpstreamResponse> result = Promise.promise();
  private final long startNanos = System.nanoTime();
  private long timeoutNanos;
  private boolean deadlineLimits;
  private LoopScheduler.Timer timer;
  private UpstreamChannel channel;
  private ChannelFuture headWrite;
  private RequestWriter writer;
  private HttpResponse head;
  private Body body;
  private TunnelHandler appSide;
  private EndpointPools endpointPools;
  private long lastActivityNanos;
  private boolean decided;
  private boolean recorded;
  private boolean released;
  private boolean responseComplete;

  Attempt(Exchange exchange, UpstreamForwarder forwarder) {
    this.exchange = exchange;
    this.forwarder = forwarder;
  }

  Future<UpstreamResponse> start() {
    exchange.beginAttempt();
    forwarder.meters().activeAttempts().incrementAndGet();
    long perTryMs = exchange.tryTimeoutMs() > 0 ? exchange.tryTimeoutMs() : forwarder.responseTimeoutMs();
    long deadline = exchange.deadlineNanos();
    long remainingNanos = deadline == 0 ? Long.MAX_VALUE : deadline - startNanos;
    if (remainingNanos <= 0) {
      fail(ProxyFailure.of(FailureKind.DEADLINE,
          "the request deadline passed before an attempt to the app could start"));
      return result.future();
    }
    timeoutNanos = Math.min(perTryMs * 1_000_000, remainingNanos);
    deadlineLimits = remainingNanos < perTryMs * 1_000_000;
    arm(timeoutNanos);
    forwarder.acquire(this);
    return result.future();
  }

  private void arm(long delayNanos) {
    timer = exchange.loop().schedule(Math.max(1, delayNanos / 1_000_000), this::onTimer);
  }

  private void onTimer() {
    timer = null;
    if (decided) {
      return;
    }
    long now = System.nanoTime();
    long leftNanos = timeoutNanos - (now - startNanos);
    String limit = deadlineLimits ? " (the request deadline)" : "";
    long timeoutMs = timeoutNanos / 1_000_000;
    if (leftNanos <= 0) {
      if (channel == null) {
        fail(ProxyFailure.of(FailureKind.CONNECT_TIMEOUT, "no connection to the app within " + timeoutMs + " ms"
            + limit));
      } else {
        fail(ProxyFailure.of(deadlineLimits ? FailureKind.DEADLINE : FailureKind.RESPONSE_TIMEOUT,
            "no response from the app within " + timeoutMs + " ms" + limit));
      }
      return;
    }
    long idleNanos = forwarder.idleTimeoutNanos();
    if (channel != null && idleNanos > 0) {
      long idleLeft = idleNanos - (now - lastActivityNanos);
      if (idleLeft <= 0) {
        fail(ProxyFailure.of(FailureKind.IDLE_TIMEOUT, "the app sent nothing for " + idleNanos / 1_000_000
            + " ms"));
        return;
      }
      leftNanos = Math.min(leftNanos, idleLeft);
    }
    arm(leftNanos);
  }

  boolean isWebSocket() {
    return exchange.isWebSocket();
  }

  /** The address picked for this attempt; it counts as in progress there until released. */
  void endpoint(EndpointPools pools) {
    this.endpointPools = pools;
    pools.attemptStarted();
    exchange.upstreamHost(pools.endpoint());
  }

  EndpointPools endpointPools() {
    return endpointPools;
  }

  /** The address the previous attempt of this request went to, or null. */
  Endpoint previousEndpoint() {
    return exchange.upstreamHost() instanceof Endpoint previous ? previous : null;
  }

  /** From the pool: a connection or stream to send on. */
  void connected(UpstreamChannel upstream) {
    if (decided) {
      upstream.giveBack(); // the attempt timed out or was cancelled while it waited
      return;
    }
    channel = upstream;
    upstream.bind(this);
    lastActivityNanos = System.nanoTime();
    if (forwarder.idleTimeoutNanos() > 0 && forwarder.idleTimeoutNanos() < timeoutNanos) {
      // The idle timeout can fire before the per-try one: the timer must check it from now on.
      if (timer != null) {
        timer.cancel();
      }
      arm(forwarder.idleTimeoutNanos());
    }
    exchange.onCancel(this::cancel);
    headWrite = forwarder.sendHead(exchange, upstream, endpointPools.endpoint());
    if (exchange.isWebSocket()) {
      upstream.channel().flush(); // nothing more until the app switches protocols
    } else if (!exchange.hasBody()) {
      upstream.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, upstream.channel().voidPromise());
      upstream.requestSent();
    } else {
      writer = new RequestWriter(this, exchange.body(), upstream);
      exchange.body().subscribe(writer);
    }
  }

  /** From the pool: no connection could be made. */
  void connectFailed(Throwable cause) {
    fail(UpstreamFailures.connectFailure(cause, forwarder.connectTimeoutMs()));
  }

  /** Bytes of the request went out: the exchange is not idle. */
  void activity() {
    lastActivityNanos = System.nanoTime();
  }

  /** The upstream channel can take more of the request body. */
  void writable() {
    if (writer != null) {
      writer.writable();
    }
  }

  /** The request went out whole. */
  void requestSent() {
    channel.requestSent();
  }

  /** The client's body broke off mid-upload: never let the app see a shorter body as complete. */
  void uploadFailed(Throwable cause) {
    if (!decided) {
      fail(cause instanceof ProxyFailure known ? known
          : ProxyFailure.of(FailureKind.CLIENT_ABORT, "the client's request body broke off", cause));
    } else {
      abort();
    }
  }

  /** From the channel: the app's response head. */
  void responded(HttpResponse head, Body responseBody) {
    if (decided) {
      channel.abort(); // the timeout won the race: drop this late response
      return;
    }
    decided = true;
    cancelTimer();
    int status = head.status().code();
    exchange.upstreamStatus(status);
    record(status >= 500 ? "http_5xx" : "success");
    health(status < 500);
    this.head = head;
    long idleNanos = forwarder.idleTimeoutNanos();
    this.body = idleNanos > 0
        ? new IdleTimeoutBody(exchange.loop(), responseBody, idleNanos / 1_000_000, this::abort) : responseBody;
    result.complete(this);
  }

  /**
   * From the channel: an interim response other than 101. 103 Early Hints goes on to the client (RFC 9110 §15.2
   * has a proxy forward 1xx); 100 answers an Expect the app never saw (batcycle answers the client's itself), and
   * 102 is deprecated: both are dropped.
   */
  void interim(HttpResponse head) {
    if (!decided && head.status().code() == 103) {
      exchange.interim(head);
    }
  }

  /** From the channel: a 101 to the WebSocket handshake; anything else asking to switch is not valid here. */
  void upgraded(HttpResponse head) {
    if (decided) {
      channel.abort();
      return;
    }
    String problem = exchange.isWebSocket() ? WebSocketTunnel.problem(exchange, head)
        : "101 Switching Protocols to a request that asked for no upgrade";
    if (problem != null) {
      fail(ProxyFailure.of(FailureKind.PROTOCOL_ERROR, problem));
      return;
    }
    decided = true;
    cancelTimer();
    exchange.upstreamStatus(101);
    record("success");
    health(true);
    this.head = head;
    this.appSide = ((UpstreamConnection) channel).switchToTunnel(this::release);
    result.complete(this);
  }

  /** After a 101: the app's side of the tunnel, waiting for the client's side to connect. */
  TunnelHandler appSide() {
    return appSide;
  }

  /** From the channel: the response was read to its end. */
  void responseReceived() {
    responseComplete = true;
    release();
  }

  /** From the channel: it closed before the response head. */
  ProxyFailure closedFailure() {
    if (headWrite == null || !headWrite.isDone() || !headWrite.isSuccess()) {
      return ProxyFailure.of(FailureKind.STALE_CONNECTION,
          "the connection to the app was closed before the request was written");
    }
    return UpstreamFailures.reset(null);
  }

  /** From the channel: the exchange failed before its response head. */
  void failed(ProxyFailure failure) {
    fail(failure);
  }

  private void cancel() {
    if (!decided) {
      fail(ProxyFailure.of(FailureKind.CLIENT_ABORT, "the client went away"));
    }
  }

  /** Fails the attempt unless its outcome was decided already. */
  private void fail(ProxyFailure failure) {
    if (decided) {
      return;
    }
    decided = true;
    cancelTimer();
    // Account for the attempt before failing the promise: that answers the client and ends the exchange
    // synchronously, and an attempt recorded after it would be missing from the request log.
    String outcome = failure.kind().attemptOutcome();
    record(outcome != null ? outcome : "reset");
    if (failure.kind().countsAgainstApp()) {
      health(false);
    }
    if (!exchange.isCancelled()) {
      exchange.flag(failure.kind().flag()); // a client that went away makes batcycle reset the attempt: DC, not UR
    }
    if (channel != null) {
      channel.abort();
    } else {
      forwarder.leave(this);
    }
    release();
    result.fail(failure);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void record(String outcome) {
    if (!recorded) {
      recorded = true;
      forwarder.meters().recordAttempt(outcome, System.nanoTime() - startNanos, exchange.trace());
    }
  }

  /** Tells a remote's passive health check how the address did; the app has no other address to prefer. */
  private void health(boolean ok) {
    if (endpointPools != null && forwarder.tracksHealth()) {
      if (ok) {
        forwarder.endpoints().succeeded(endpointPools.endpoint());
      } else {
        forwarder.endpoints().failed(endpointPools.endpoint());
      }
    }
  }

  /** The attempt no longer holds a connection; idempotent. */
  void release() {
    if (!released) {
      released = true;
      if (endpointPools != null) {
        endpointPools.attemptEnded();
      }
      forwarder.meters().activeAttempts().decrementAndGet();
      exchange.addUpstreamNanos(System.nanoTime() - startNanos);
    }
  }

  @Override
  public HttpResponse head() {
    return head;
  }

  @Override
  public Body body() {
    return body;
  }

  @Override
  public void abort() {
    if (responseComplete) {
      // Read whole, the response no longer holds its connection, which may already serve another attempt: only
      // what is still queued for the client is dropped (a slow client that went away).
      if (body != null) {
        body.discard();
      }
    } else if (channel != null) {
      channel.abort();
    }
    release();
  }
}
