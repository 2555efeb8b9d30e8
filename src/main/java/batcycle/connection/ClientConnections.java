package batcycle.connection;

import batcycle.config.ListenerConfig;
import batcycle.metrics.MeterNames;
import batcycle.metrics.ProxyMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.HttpServerConnection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections of the proxy port: counts them while open, closes those over {@code limits.maxConnections}
 * before reading from them, and times every HTTP/1 request head ({@code timeouts.requestHeader}). One instance
 * serves all event loops; the count is one shared atomic, so the cap holds across them exactly.
 *
 * <p>Two entry points: {@link #watch} puts a handler on the listening socket that equips each connection as it is
 * accepted; {@link #accept}, the servers' connection handler, runs once Vert.x has decoded a connection's first
 * head. A connection the hook did not see (accepted in the instant between bind and hook at start-up, or every
 * connection if the listening socket cannot be reached, see {@link ListeningChannel}) is equipped by
 * {@link #accept} instead: it is then counted, capped and timed only from its first complete head on.
 */
public final class ClientConnections {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);
  public static final String REASON_MAX_CONNECTIONS = "max_connections";
  public static final String REASON_REQUEST_HEADER_TIMEOUT = "request_header_timeout";
  private static final String ACCEPT_HOOK = "batcycle-accept";

  private final AtomicInteger open;
  private final int maxConnections;
  private final long headTimeoutMillis;
  private final Counter overCap;
  private final Counter headTimeouts;

  public ClientConnections(ListenerConfig config, ProxyMeters meters) {
    this.open = meters.openConnections();
    this.maxConnections = config.maxConnections();
    this.headTimeoutMillis = config.requestHeaderTimeout().toMillis();
    this.overCap = rejected(meters, REASON_MAX_CONNECTIONS);
    this.headTimeouts = rejected(meters, REASON_REQUEST_HEADER_TIMEOUT);
    Gauge.builder(MeterNames.CONNECTIONS_MAX, () -> maxConnections)
        .description("Configured cap on open client connections (0 = none)").register(meters.registry());
  }

  private static Counter rejected(ProxyMeters meters, String reason) {
    return Counter.builder(MeterNames.CONNECTIONS_REJECTED).tag(MeterNames.TAG_REASON, reason)
        .description("Client connections batcycle closed to protect itself").register(meters.registry());
  }

  /**
   * Equips every connection the listening socket of {@code server} accepts from now on; call once it listens.
   * Completes, on the caller's context, once the hook is in place: it is installed on the socket's own event
   * loop, which handles accepts before queued tasks, so a hook merely queued could miss the first connections.
   */
  public Future<Void> watch(HttpServer server) {
    Optional<Channel> listening = ListeningChannel.of(server);
    if (listening.isEmpty()) {
      LOG.warn("cannot reach the proxy's listening socket in this Vert.x version: client connections are counted, "
          + "capped and timed only from their first complete request head");
      return Future.succeededFuture();
    }
    Channel socket = listening.get();
    Context caller = Vertx.currentContext();
    Promise<Void> installed = Promise.promise();
    socket.eventLoop().execute(() -> {
      if (socket.pipeline().get(ACCEPT_HOOK) == null) { // every instance shares the one socket: install once
        socket.pipeline().addFirst(ACCEPT_HOOK, new AcceptHook());
      }
      if (caller == null) {
        installed.complete();
      } else {
        caller.runOnContext(v -> installed.complete());
      }
    });
    return installed.future();
  }

  /** The servers' connection handler; runs on the connection's event loop once its first head is decoded. */
  public void accept(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection server)) {
      return; // not a Vert.x server connection: nothing to watch it with
    }
    ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
    if (pipeline.get(ConnectionGuard.NAME) == null) {
      equip(pipeline); // accepted before the hook was in place, or without one
    }
    if (((ConnectionGuard) pipeline.get(ConnectionGuard.NAME)).refused()) {
      // The head Vert.x just decoded must not reach the app: its request handlers are swapped before it
      // dispatches (an internal interface all its server connections implement; ConnectionCapIT checks it).
      server.handler(request -> server.channelHandlerContext().channel().close());
      server.invalidRequestHandler(request -> server.channelHandlerContext().channel().close());
      return;
    }
    RequestHeadTimeout headTimeout = RequestHeadTimeout.of(pipeline);
    if (headTimeout != null) {
      headTimeout.firstHeadComplete(pipeline);
    }
  }

  /** Puts the guard and, when on, the head timeout at the front of a connection's pipeline. */
  private void equip(ChannelPipeline pipeline) {
    if (headTimeoutMillis > 0) {
      pipeline.addFirst(RequestHeadTimeout.RAW,
          new RequestHeadTimeout(headTimeoutMillis, headTimeouts::increment).rawSide());
    }
    pipeline.addFirst(ConnectionGuard.NAME, new ConnectionGuard(this)); // first: a refused one reaches nothing
  }

  /** Takes a place for a new connection unless the cap is reached; a CAS loop, so the count never passes it. */
  boolean tryOpen() {
    while (true) {
      int now = open.get();
      if (maxConnections > 0 && now >= maxConnections) {
        overCap.increment();
        LOG.debug("refused a client connection: {} open (limits.maxConnections)", now);
        return false;
      }
      if (open.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void release() {
    open.decrementAndGet();
  }

  /** On the listening socket: sees each accepted connection before Vert.x sets it up. */
  @ChannelHandler.Sharable
  private final class AcceptHook extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel accepted) {
        equip(accepted.pipeline());
      }
      ctx.fireChannelRead(msg);
    }
  }
}
