package batcycle.pipeline;

import batcycle.errors.ProxyFailure;
import batcycle.headers.TraceContext;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Per-request state shared by the layers: the paused inbound request, a mutable copy of the outbound head (set
 * once the request is validated), the request id and trace, what happened upstream, and callbacks fired exactly
 * once when the exchange ends or the client goes away. Confined to the event loop of the inbound connection, so
 * it needs no synchronisation.
 */
public final class Exchange {
  private final HttpServerRequest inbound;
  private final String requestId;
  private final long startNanos;
  private final long startMillis;
  private final HttpMethod method;
  private final List<Handler<Outcome>> endHandlers = new ArrayList<>(3);
  private final List<Runnable> cancelHandlers = new ArrayList<>(2);
  private final EnumSet<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private String uri;
  private MultiMap headers;
  private boolean hasBody;
  private Buffer bodyPrefix;
  private boolean webSocket;
  private ReadStream<Buffer> body;
  private TraceContext trace;
  private int attempts;
  private int upstreamStatus;
  private long upstreamNanos;
  private ProxyFailure failure;
  private long deadlineNanos;
  private long tryTimeoutMs;
  private List<String> retryReasons = List.of();
  private boolean continueSent;
  private boolean ended;
  private boolean cancelled;
  private boolean closeConnection;
  private String clientAddress;

  public Exchange(HttpServerRequest inbound, String requestId, long startNanos, long startMillis) {
    this.inbound = inbound;
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.startMillis = startMillis;
    this.method = inbound.method();
    this.uri = inbound.uri();
    this.body = inbound;
  }

  /** Sets the outbound head once the request is known to be valid. */
  public void prepare(String uri, MultiMap headers, boolean hasBody, Buffer bodyPrefix, boolean webSocket) {
    this.uri = uri;
    this.headers = headers;
    this.hasBody = hasBody;
    this.bodyPrefix = bodyPrefix;
    this.webSocket = webSocket;
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

  /** Wall-clock arrival time, for logs. */
  public long startMillis() {
    return startMillis;
  }

  /**
   * The client's IP address as text, or null if unknown. Computed once: Vert.x formats it anew on every call, and
   * both the forwarded headers and the request log need it.
   */
  public String clientAddress() {
    if (clientAddress == null) {
      SocketAddress address = inbound.remoteAddress();
      if (address != null) {
        clientAddress = address.hostAddress() != null ? address.hostAddress() : address.host();
      }
    }
    return clientAddress;
  }

  public HttpMethod method() {
    return method;
  }

  /** The origin-form target sent to the app (before validation: the raw target as received). */
  public String uri() {
    return uri;
  }

  /** The outbound request headers, stripped of hop-by-hop headers; layers may edit them. Null until prepared. */
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

  /** True for a WebSocket upgrade, which is tunnelled instead of forwarded. */
  public boolean isWebSocket() {
    return webSocket;
  }

  /** The W3C trace this request belongs to, or null. */
  public TraceContext trace() {
    return trace;
  }

  public void trace(TraceContext trace) {
    this.trace = trace;
  }

  public int attempts() {
    return attempts;
  }

  /** Called by the forwarder for every attempt sent to the app; returns the attempt number (1-based). */
  public int beginAttempt() {
    return ++attempts;
  }

  /** The status of the app's last response head, 0 if none arrived. */
  public int upstreamStatus() {
    return upstreamStatus;
  }

  public void upstreamStatus(int status) {
    this.upstreamStatus = status;
  }

  /** Time spent in attempts to the app, from sending to the last response byte or the failure. */
  public long upstreamNanos() {
    return upstreamNanos;
  }

  public void addUpstreamNanos(long nanos) {
    this.upstreamNanos += nanos;
  }

  public void flag(ResponseFlag flag) {
    flags.add(flag);
  }

  public Set<ResponseFlag> flags() {
    return flags;
  }

  /** The failure batcycle answered the client with, or null. */
  public ProxyFailure failure() {
    return failure;
  }

  public void failure(ProxyFailure failure) {
    this.failure = failure;
  }

  /** Asks for the client connection to be closed after this response (HTTP/1.x), e.g. while draining. */
  public void closeConnection() {
    this.closeConnection = true;
  }

  public boolean closesConnection() {
    return closeConnection;
  }

  /** The {@code System.nanoTime()} by which the app's response head must have arrived; 0 if there is no deadline. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  public void deadlineNanos(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /** Milliseconds one attempt may take to the response head; 0 means the configured per-try timeout. */
  public long tryTimeoutMs() {
    return tryTimeoutMs;
  }

  public void tryTimeoutMs(long tryTimeoutMs) {
    this.tryTimeoutMs = tryTimeoutMs;
  }

  /** Why each retry of this exchange was made, in order ({@code reset}, {@code status}, ...); empty if none. */
  public List<String> retryReasons() {
    return retryReasons;
  }

  public void addRetryReason(String reason) {
    if (retryReasons.isEmpty()) {
      retryReasons = new ArrayList<>(2);
    }
    retryReasons.add(reason);
  }

  /** True the first time only: a client expecting 100-continue gets one interim response, whatever the attempts. */
  public boolean markContinueSent() {
    if (continueSent) {
      return false;
    }
    continueSent = true;
    return true;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  public boolean isEnded() {
    return ended;
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
    flags.add(ResponseFlag.CLIENT_DISCONNECT);
    // A handler may end the exchange synchronously (resetting the app's request fails its response at once),
    // and end() clears this list: iterate over a copy, or the remaining handlers never run.
    List<Runnable> handlers = List.copyOf(cancelHandlers);
    cancelHandlers.clear();
    for (Runnable handler : handlers) {
      handler.run();
    }
  }

  /** Fires the end callbacks, innermost layer's first; only the first call counts. */
  public void end(Outcome outcome) {
    if (ended) {
      return;
    }
    ended = true;
    cancelHandlers.clear();
    for (int i = endHandlers.size() - 1; i >= 0; i--) {
      endHandlers.get(i).handle(outcome);
    }
  }
}
