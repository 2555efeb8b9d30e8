package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.headers.ResponseHeaders;
import batcycle.pipeline.Pipeline;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One event loop's share of the proxy: the client connections it serves, its own pools to the app, its timers and
 * the pipeline its exchanges run through. Everything here is used on this loop only, so no request hops threads or
 * takes a lock on its way through.
 */
final class ProxyLoop {
  private final EventLoop eventLoop;
  private final Transport transport;
  private final LoopTimeouts scheduler;
  private final UpstreamPool http1;
  private final H2UpstreamPool h2;
  private final ClientErrors clientErrors;
  private final ClientPace clientPace;
  private final RequestBodyWatch bodyWatch;
  private final boolean secure;
  /** The settings of the configuration in force; replaced on this loop by a reload, read by each new exchange. */
  private Pipeline pipeline;
  private ResponseHeaders responseHeaders;
  private final Set<Channel> connections = new HashSet<>();
  private volatile int localPort;
  private volatile int open;

  ProxyLoop(EventLoop eventLoop, Transport transport, BatcycleConfig config, RequestPath path,
            ClientErrors clientErrors, ClientPace clientPace) {
    this.eventLoop = eventLoop;
    this.transport = transport;
    this.clientErrors = clientErrors;
    this.clientPace = clientPace;
    this.bodyWatch = clientPace.watchesBodies() ? new RequestBodyWatch(eventLoop, clientPace) : null;
    this.secure = config.tls().enabled();
    this.scheduler = new LoopTimeouts(eventLoop);
    UpstreamConfig upstream = config.upstream();
    // A pool set in total is split over the loops. One that follows limits.maxConcurrent is not: the permits already
    // bound the connections in use over all loops, and a split would strand requests holding a permit on a loop
    // whose share is taken while another loop's stands idle.
    int perLoop = config.pool().maxConnections().isPresent()
        ? Math.max(1, ceilDiv(upstream.maxConnections(), config.listener().eventLoops()))
        : upstream.maxConnections();
    InetSocketAddress app = new InetSocketAddress(upstream.host(), upstream.port());
    // WebSocket handshakes always need HTTP/1.1; with an h2c app that pool only ever carries them.
    this.http1 = new UpstreamPool(this, app, perLoop, upstream.poolIdleTimeout().toNanos(),
        upstream.connectTimeout().toMillis(), config.listener().maxRequestLine(), path.meters().upstreamConnections());
    this.h2 = upstream.protocol() == UpstreamProtocol.H2C
        ? new H2UpstreamPool(this, app, perLoop, upstream.poolIdleTimeout().toNanos(),
            upstream.connectTimeout().toMillis(), path.meters().upstreamConnections())
        : null;
    apply(config, path);
  }

  /**
   * Builds the pipeline of {@code config} over this loop's pools. Exchanges started before keep the pipeline they
   * took (see {@link ProxyExchange}), so a request finishes with the settings it began with. Call on this loop (or
   * before the loop serves).
   */
  void apply(BatcycleConfig config, RequestPath path) {
    this.pipeline = path.pipeline(config, new UpstreamForwarder(config.upstream(), path.meters(), http1, h2));
    this.responseHeaders = path.responseHeaders(config);
  }

  /** True when the client connections of this loop are TLS (the proxy port serves HTTPS). */
  boolean secure() {
    return secure;
  }

  EventLoop eventLoop() {
    return eventLoop;
  }

  Transport transport() {
    return transport;
  }

  LoopTimeouts scheduler() {
    return scheduler;
  }

  Pipeline pipeline() {
    return pipeline;
  }

  ResponseHeaders responseHeaders() {
    return responseHeaders;
  }

  int localPort() {
    return localPort;
  }

  void localPort(int port) {
    this.localPort = port;
  }

  ClientPace clientPace() {
    return clientPace;
  }

  /**
   * Holds a client's request body to the pace {@link ClientPace} sets, unless that is off or the request is an
   * interactive stream (gRPC).
   */
  void watchPace(ChannelBody body, io.netty.handler.codec.http.HttpHeaders headers) {
    if (bodyWatch != null && !ClientPace.isInteractive(headers)) {
      body.watchPace(bodyWatch);
    }
  }

  void clientProtocolError(Throwable cause) {
    clientErrors.record(cause);
  }

  /** The IP address of the client at the far end of {@code channel} (a connection, or an HTTP/2 stream's parent). */
  static String clientAddress(Channel channel) {
    Channel parent = channel.parent();
    Channel connection = parent != null && !(parent instanceof ServerChannel) ? parent : channel;
    if (connection.remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
      return address.getAddress().getHostAddress();
    }
    return null;
  }

  /** Remembers an accepted connection until it closes, so a drain can reach it. */
  void track(Channel channel) {
    connections.add(channel);
    open++;
    channel.closeFuture().addListener(closed -> {
      connections.remove(channel);
      open--;
    });
  }

  /** Open client connections on this loop; readable from any thread. */
  int openConnections() {
    return open;
  }

  /** Asks every connection to finish its current exchange and close (HTTP/2: GOAWAY). Call on this loop. */
  void drain() {
    for (Channel channel : List.copyOf(connections)) {
      channel.pipeline().fireUserEventTriggered(ProxyServer.DRAIN);
    }
    http1.close();
    if (h2 != null) {
      h2.close();
    }
  }

  /** Cuts whatever is still open. Call on this loop. */
  void closeAll() {
    for (Channel channel : List.copyOf(connections)) {
      channel.close();
    }
    http1.close();
    if (h2 != null) {
      h2.close();
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
