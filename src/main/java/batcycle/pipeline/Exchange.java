package batcycle.pipeline;

import batcycle.errors.ProxyFailure;
import batcycle.errors.ResponseFlag;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One request and what became of it: the facts of the request as it arrived (the head, edited in place into the
 * request for the app, its body, who sent it), the facts of its fate (attempts, the app's status, the failure
 * answered, flags), and callbacks fired exactly once when it ends or the client goes away. State that a single layer
 * owns (retry progress, permits, timers) stays in that layer. Confined to the event loop of the client's
 * connection, so it needs no synchronisation.
 */
public final class Exchange {
  private final HttpRequest head;
  private final Protocol protocol;
  private final HttpMethod method;
  private final String receivedUri;
  private final String clientAddress;
  private final int localPort;
  private final LoopScheduler loop;
  private final String requestId;
  private final long startNanos;
  private final long startMillis;
  private final List<Consumer<Outcome>> endHandlers = new ArrayList<>(4);
  private List<Runnable> cancelHandlers = List.of();
  private final EnumSet<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private Body body;
  private InterimListener interimListener;
  private boolean hasBody;
  private boolean webSocket;
  private TraceContext trace;
  private int attempts;
  private int upstreamStatus;
  private long upstreamNanos;
  private long bytesIn;
  private ProxyFailure failure;
  private long deadlineNanos;
  private long tryTimeoutMs;
  private List<String> retryReasons = List.of();
  private boolean ended;
  private boolean cancelled;
  private boolean closeConnection;
  private boolean secure;
  private UpstreamHost upstreamHost;
  private String clientCertSubject;

  /**
   * {@code head}: the request head as decoded; {@code clientAddress}: the client's IP as text, or null;
   * {@code body}: the request body as it comes from the client.
   */
  public Exchange(HttpRequest head, Protocol protocol, String clientAddress, int localPort, LoopScheduler loop,
                  String requestId, Body body) {
    this.head = head;
    this.protocol = protocol;
    this.method = head.method();
    this.receivedUri = head.uri();
    this.clientAddress = clientAddress;
    this.localPort = localPort;
    this.loop = loop;
    this.requestId = requestId;
    this.body = body;
    this.startNanos = System.nanoTime();
    this.startMillis = System.currentTimeMillis();
  }

  /** The request head: as received until validated, then edited in place into the request the app gets. */
  public HttpRequest head() {
    return head;
  }

  /** The request headers (see {@link #head}); layers edit them. */
  public HttpHeaders headers() {
    return head.headers();
  }

  /** The target sent to the app: origin form once validated, the raw target before. */
  public String uri() {
    return head.uri();
  }

  /** The target exactly as the client sent it. */
  public String receivedUri() {
    return receivedUri;
  }

  public HttpMethod method() {
    return method;
  }

  public Protocol protocol() {
    return protocol;
  }

  /** The client's IP address as text, or null if unknown. */
  public String clientAddress() {
    return clientAddress;
  }

  /** True if the client's connection is TLS (the request's scheme is https). */
  public boolean isSecure() {
    return secure;
  }

  public void secure(boolean secure) {
    this.secure = secure;
  }

  /** The subject of the client's verified TLS certificate (RFC 2253, header-safe), or null. */
  public String clientCertSubject() {
    return clientCertSubject;
  }

  public void clientCertSubject(String subject) {
    this.clientCertSubject = subject;
  }

  /** The port of the listener the request arrived on. */
  public int localPort() {
    return localPort;
  }

  /** Timers and tasks on this exchange's event loop. */
  public LoopScheduler loop() {
    return loop;
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

  /** The request body to send; not flowing until someone subscribes. */
  public Body body() {
    return body;
  }

  /** Replaces the body attempts read (a layer's wrapper, such as the retry recording). */
  public void body(Body body) {
    this.body = body;
  }

  /** Sends the app's interim responses to {@code listener} (the client's side of the exchange). */
  public void interimTo(InterimListener listener) {
    this.interimListener = listener;
  }

  /** An interim response from the app (such as 103 Early Hints), passed to the client's side if it listens. */
  public void interim(HttpResponse head) {
    if (interimListener != null && !ended && !cancelled) {
      interimListener.interim(head);
    }
  }

  /** True if the request carries a body (known once the request is prepared). */
  public boolean hasBody() {
    return hasBody;
  }

  public void hasBody(boolean hasBody) {
    this.hasBody = hasBody;
  }

  /** True for a WebSocket upgrade, which is tunnelled instead of forwarded. */
  public boolean isWebSocket() {
    return webSocket;
  }

  public void webSocket(boolean webSocket) {
    this.webSocket = webSocket;
  }

  /** The W3C trace this request belongs to, or null. */
  public TraceContext trace() {
    return trace;
  }

  public void trace(TraceContext trace) {
    this.trace = trace;
  }

  /** Request body bytes received from the client so far. */
  public long bytesIn() {
    return bytesIn;
  }

  public void addBytesIn(long bytes) {
    bytesIn += bytes;
  }

  public int attempts() {
    return attempts;
  }

  /** Called for every attempt sent to the app; returns the attempt number (1-based). */
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

  /** Records the failure the client is answered with, and its flag. */
  public void failure(ProxyFailure failure) {
    this.failure = failure;
    flags.add(failure.kind().flag());
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

  /** The address the latest attempt went to, or null if none was picked. */
  public UpstreamHost upstreamHost() {
    return upstreamHost;
  }

  public void upstreamHost(UpstreamHost host) {
    this.upstreamHost = host;
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
      if (cancelHandlers.isEmpty()) {
        cancelHandlers = new ArrayList<>(2);
      }
      cancelHandlers.add(handler);
    }
  }

  /** Runs {@code handler} once when the exchange ends, whatever the outcome; innermost layer's first. */
  public void onEnd(Consumer<Outcome> handler) {
    endHandlers.add(handler);
  }

  /** The client went away: cancel whatever is under way for it. Idempotent. */
  public void cancel() {
    if (cancelled || ended) {
      return;
    }
    cancelled = true;
    flags.add(ResponseFlag.CLIENT_DISCONNECT);
    // A handler may end the exchange synchronously, and end() drops this list: iterate over what was registered.
    List<Runnable> handlers = cancelHandlers;
    cancelHandlers = List.of();
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
    cancelHandlers = List.of();
    for (int i = endHandlers.size() - 1; i >= 0; i--) {
      endHandlers.get(i).accept(outcome);
    }
  }
}
