package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.UpstreamConfig;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's share of the proxy: the client connections it serves, its own pools to the app, its timers and
 * the pipeline its exchanges run through. Everything here is used on this loop only, so no request hops threads or
 * takes a lock on its way through.
 */
final class ProxyLoop {
  private final EventLoop eventLoop;
  private final Transport transport;
  private final LoopTimeouts scheduler;
  private final LoopUpstream upstream;
  private final long poolIdleNanos;
  private final long connectTimeoutMs;
  private final int maxRequestLine;
  private final AtomicInteger upstreamConnections;
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
    // The pools to the upstream are built once per loop: pool and connect settings need a restart (see reload).
    UpstreamConfig upstreamConfig = config.upstream();
    this.poolIdleNanos = upstreamConfig.poolIdleTimeout().toNanos();
    this.connectTimeoutMs = upstreamConfig.connectTimeout().toMillis();
    this.maxRequestLine = config.listener().maxRequestLine();
    this.upstreamConnections = path.meters().upstreamConnections();
    this.upstream = new LoopUpstream(this, path.upstream());
    apply(config, path);
  }

  /**
   * Builds the pipeline of {@code config} over this loop's pools. Exchanges started before keep the pipeline they
   * took (see {@link ProxyExchange}), so a request finishes with the settings it began with. Call on this loop (or
   * before the loop serves).
   */
  void apply(BatcycleConfig config, RequestPath path) {
    this.pipeline = path.pipeline(config, new UpstreamForwarder(config.upstream(), path.meters(), upstream));
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

  long poolIdleNanos() {
    return poolIdleNanos;
  }

  long connectTimeoutMs() {
    return connectTimeoutMs;
  }

  /** The longest status line accepted from the upstream, as from clients. */
  int maxRequestLine() {
    return maxRequestLine;
  }

  /** The gauge of open connections to the upstream. */
  AtomicInteger upstreamConnections() {
    return upstreamConnections;
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
    upstream.close();
  }

  /** Cuts whatever is still open. Call on this loop. */
  void closeAll() {
    for (Channel channel : List.copyOf(connections)) {
      channel.close();
    }
    upstream.close();
  }
}
