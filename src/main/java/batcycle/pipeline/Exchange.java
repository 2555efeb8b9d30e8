package batcycle.pipeline;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-request state shared by the layers: the paused inbound request, a mutable copy of the outbound head, the
 * request id, and callbacks fired exactly once when the exchange ends or the client goes away. Confined to the
 * event loop of the inbound connection, so it needs no synchronisation.
 */
public final class Exchange {
  private final HttpServerRequest inbound;
  private final String requestId;
  private final long startNanos;
  private final HttpMethod method;
  private final String uri;
  private final MultiMap headers;
  private final List<Handler<Outcome>> endHandlers = new ArrayList<>(2);
  private final List<Runnable> cancelHandlers = new ArrayList<>(2);
  private final boolean hasBody;
  private final Buffer bodyPrefix;
  private ReadStream<Buffer> body;
  private int attempts;
  private boolean ended;
  private boolean cancelled;

  public Exchange(HttpServerRequest inbound, String requestId, long startNanos, String uri, MultiMap headers,
                  boolean hasBody, Buffer bodyPrefix) {
    this.hasBody = hasBody;
    this.bodyPrefix = bodyPrefix;
    this.inbound = inbound;
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.method = inbound.method();
    this.uri = uri;
    this.headers = headers;
    this.body = inbound;
  }

  public HttpServerRequest inbound() {
    return inbound;
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  public HttpMethod method() {
    return method;
  }

  /** The origin-form target sent to the app. */
  public String uri() {
    return uri;
  }

  /** The outbound request headers, already stripped of hop-by-hop headers; layers may edit them. */
  public MultiMap headers() {
    return headers;
  }

  /** The request body to send; paused until the forwarder pipes it. */
  public ReadStream<Buffer> body() {
    return body;
  }

  public void body(ReadStream<Buffer> body) {
    this.body = body;
  }

  /** True if the request carries a body. */
  public boolean hasBody() {
    return hasBody;
  }

  /** Body bytes already taken from the client (to learn whether there is a body) that go out first, or null. */
  public Buffer bodyPrefix() {
    return bodyPrefix;
  }

  public int attempts() {
    return attempts;
  }

  /** Called by the forwarder for every attempt sent to the app; returns the attempt number (1-based). */
  public int beginAttempt() {
    return ++attempts;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code handler} if the client goes away before the exchange ends (at once if it already has). */
  public void onCancel(Runnable handler) {
    if (cancelled) {
      handler.run();
    } else if (!ended) {
      cancelHandlers.add(handler);
    }
  }

  /** Runs {@code handler} once when the exchange ends, whatever the outcome. */
  public void onEnd(Handler<Outcome> handler) {
    endHandlers.add(handler);
  }

  /** The client went away: cancel the upstream side. Idempotent. */
  public void cancel() {
    if (cancelled || ended) {
      return;
    }
    cancelled = true;
    // A handler may end the exchange synchronously (resetting the app's request fails its response at once),
    // and end() clears this list: iterate over a copy, or the remaining handlers never run.
    List<Runnable> handlers = List.copyOf(cancelHandlers);
    cancelHandlers.clear();
    for (Runnable handler : handlers) {
      handler.run();
    }
  }

  /** Fires the end callbacks; only the first call counts. */
  public void end(Outcome outcome) {
    if (ended) {
      return;
    }
    ended = true;
    cancelHandlers.clear();
    for (Handler<Outcome> handler : endHandlers) {
      handler.handle(outcome);
    }
  }
}
