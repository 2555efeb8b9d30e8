package batcycle.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's HTTP/2 connections to an h2c app (prior knowledge, as gRPC servers expect): each attempt gets a
 * stream on the least busy connection that has room under the app's SETTINGS_MAX_CONCURRENT_STREAMS; another
 * connection is opened only when all are full, up to {@code max}. Connections without streams are closed once idle
 * for {@code pool.idleTimeout}. A connection the app sent GOAWAY on takes no new streams.
 *
 * <p>Confined to its event loop.
 */
final class H2UpstreamPool {
  private static final long SWEEP_MS = 1000;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final int max;
  private final long idleNanos;
  private final AtomicInteger openGauge;
  private final List<Connection> connections = new ArrayList<>();
  private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  H2UpstreamPool(ProxyLoop owner, InetSocketAddress address, int max, long idleNanos, long connectTimeoutMs,
                 AtomicInteger openGauge) {
    this.loop = owner.eventLoop();
    this.address = address;
    this.max = max;
    this.idleNanos = idleNanos;
    this.openGauge = openGauge;
    this.bootstrap = new Bootstrap()
        .group(loop)
        .channelFactory(owner.transport().channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMs)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .validateHeaders(true)
                .build();
            channel.pipeline().addLast(codec)
                .addLast(new Http2MultiplexHandler(new RefusePushedStreams()))
                .addLast(new Connection(codec));
          }
        });
    loop.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
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
    ChannelFuture connect = bootstrap.connect(address);
    connect.addListener(done -> {
      connecting--;
      if (done.isSuccess()) {
        openGauge.incrementAndGet();
        connections.add(connect.channel().pipeline().get(Connection.class));
        serveWaiting();
      } else {
        // Nothing reached the app: every attempt waiting for this connection fails like a refused connect.
        Attempt attempt;
        while ((attempt = waiting.poll()) != null) {
          attempt.connectFailed(done.cause());
        }
      }
    });
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

  private void sweep() {
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
