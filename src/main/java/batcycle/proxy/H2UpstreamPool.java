package batcycle.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.upstream.TlsOrigination;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's HTTP/2 connections to one upstream address: h2c with prior knowledge (as gRPC servers expect), or
 * over TLS with h2 chosen in ALPN: each attempt gets a
 * stream on the least busy connection that has room under the app's SETTINGS_MAX_CONCURRENT_STREAMS; another
 * connection is opened only when all are full, up to {@code max}. Connections without streams are closed once idle
 * for {@code pool.idleTimeout}. A connection the app sent GOAWAY on takes no new streams.
 *
 * <p>Confined to its event loop.
 */
final class H2UpstreamPool {
  private final EndpointPools owner;
  private final UpstreamConnector connector;
  private final int max;
  private final long idleNanos;
  private final AtomicInteger openGauge;
  private final List<Connection> connections = new ArrayList<>();
  private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  H2UpstreamPool(EndpointPools owner, int max, long idleNanos, long connectTimeoutMs, AtomicInteger openGauge) {
    this.owner = owner;
    this.max = max;
    this.idleNanos = idleNanos;
    this.openGauge = openGauge;
    this.connector = new UpstreamConnector(owner, connectTimeoutMs, () -> TlsOrigination.Alpn.H2, this::addHttp2);
  }

  private void addHttp2(Channel channel) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
        .validateHeaders(true)
        .build();
    channel.pipeline().addLast(codec)
        .addLast(new Http2MultiplexHandler(new RefusePushedStreams()))
        .addLast(new Connection(codec));
  }

  /**
   * Takes over a TLS connection made by the HTTP/1.1 pool on which the remote chose h2 in ALPN: its HTTP/1 handlers
   * give way to HTTP/2's, and it serves the attempts waiting here.
   */
  void adopt(Channel channel) {
    channel.pipeline().remove(UpstreamPool.CODEC);
    channel.pipeline().remove(UpstreamPool.HANDLER);
    addHttp2(channel);
    established(channel.pipeline().get(Connection.class));
  }

  private void established(Connection connection) {
    connection.established = true;
    openGauge.incrementAndGet();
    connections.add(connection);
    serveWaiting();
  }

  void acquire(Attempt attempt) {
    Connection connection = leastBusy();
    if (connection != null) {
      open(connection, attempt);
      return;
    }
    waiting.add(attempt);
    if (connections.size() + connecting < max && connecting == 0) {
      connect();
    }
  }

  void leave(Attempt attempt) {
    waiting.remove(attempt);
  }

  private Connection leastBusy() {
    Connection best = null;
    for (Connection connection : connections) {
      if (connection.hasRoom() && (best == null || connection.active < best.active)) {
        best = connection;
      }
    }
    return best;
  }

  private void open(Connection connection, Attempt attempt) {
    connection.active++;
    UpstreamStream stream = new UpstreamStream(this, connection);
    new Http2StreamChannelBootstrap(connection.channel)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel channel) {
            channel.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false, true), stream);
          }
        })
        .open().addListener(opened -> {
          if (opened.isSuccess()) {
            attempt.connected(stream);
          } else {
            streamClosed(connection);
            attempt.connectFailed(opened.cause());
          }
        });
  }

  private void connect() {
    connecting++;
    connector.connect(new UpstreamConnector.Outcome() {
      @Override
      public void connected(Channel channel, SslHandler tls) {
        connecting--;
        if (tls != null && !ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
          channel.close();
          owner.h2Refused();
          failWaiting(ProxyFailure.of(FailureKind.TLS_HANDSHAKE, owner.endpoint().serverName() + " at "
              + owner.endpoint() + " did not accept HTTP/2 in ALPN (protocol: h2 needs it)"));
        } else {
          established(channel.pipeline().get(Connection.class));
        }
      }

      @Override
      public void failed(Throwable cause) {
        connecting--;
        failWaiting(cause);
      }
    });
  }

  /** Nothing reached the upstream: every attempt waiting for this connection fails like a refused connect. */
  private void failWaiting(Throwable cause) {
    Attempt attempt;
    while ((attempt = waiting.poll()) != null) {
      attempt.connectFailed(cause);
    }
  }

  private void serveWaiting() {
    while (!waiting.isEmpty()) {
      Connection connection = leastBusy();
      if (connection == null) {
        if (connections.size() + connecting < max && connecting == 0 && !closed) {
          connect();
        }
        return;
      }
      open(connection, waiting.poll());
    }
  }

  void streamClosed(Connection connection) {
    connection.active--;
    connection.lastUsedNanos = System.nanoTime();
    serveWaiting();
  }

  /** Closes the connections without streams idle past {@code pool.idleTimeout}. */
  void sweep() {
    long now = System.nanoTime();
    for (Connection connection : List.copyOf(connections)) {
      if (connection.active == 0 && now - connection.lastUsedNanos >= idleNanos) {
        connection.channel.close();
      }
    }
  }

  void close() {
    closed = true;
    for (Connection connection : List.copyOf(connections)) {
      if (connection.active == 0) {
        connection.channel.close();
      }
    }
  }

  /** One HTTP/2 connection to the app, and the last handler of its pipeline. */
  final class Connection extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;
    private Channel channel;
    private int active;
    private long lastUsedNanos = System.nanoTime();
    private boolean goingAway;
    private boolean established;

    Connection(Http2FrameCodec codec) {
      this.codec = codec;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.channel = ctx.channel();
    }

    boolean hasRoom() {
      return !goingAway && channel.isActive() && active < codec.connection().local().maxActiveStreams();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame) {
        goingAway = true; // streams under way finish; new ones go elsewhere
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!established) {
        return; // a failed handshake: counted as a failed connect
      }
      openGauge.decrementAndGet();
      connections.remove(this);
      serveWaiting();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // its streams fail with it, and each answers its own client
    }
  }

  /** An app must not push (SETTINGS_ENABLE_PUSH is 0); a pushed stream is reset. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
