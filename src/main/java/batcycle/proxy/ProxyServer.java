package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigException;
import batcycle.config.HostPort;
import batcycle.config.Key;
import batcycle.connection.ClientConnections;
import batcycle.metrics.MeterNames;
import batcycle.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy listener: a Netty server on Vert.x's own event loops (the acceptor of Vert.x accepts, the proxy's loops
 * serve), so there is one set of threads. Each accepted connection stays on one loop for its life, with the pools
 * and pipeline of that loop.
 */
public final class ProxyServer {
  /** User event asking a client connection to finish its current exchange and close (a drain). */
  static final Object DRAIN = new Object() {
    @Override
    public String toString() {
      return "drain";
    }
  };
  static final String HTTP_CODEC = "http";
  private static final long DRAIN_CHECK_MS = 20;

  private final Channel listener;
  private final List<ProxyLoop> loops;
  private final Map<EventLoop, ChannelSetup> setups;
  private final ClientConnections connections;
  private final EventLoop timerLoop;
  private final int port;

  private ProxyServer(Channel listener, List<ProxyLoop> loops, Map<EventLoop, ChannelSetup> setups,
                      ClientConnections connections) {
    this.listener = listener;
    this.loops = List.copyOf(loops);
    this.setups = setups;
    this.connections = connections;
    this.timerLoop = loops.get(0).eventLoop();
    this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    this.loops.forEach(loop -> loop.localPort(port));
  }

  /**
   * Binds the listener of {@code path} (the inbound one, or an outbound entry's, at {@code config.listen()});
   * {@code acceptor}: the group that accepts, {@code eventLoops}: the loops that serve, {@code tls}: HTTPS on the
   * port, or null for plain HTTP. Fails with a {@link ConfigException} naming the listen setting if the address
   * cannot be bound.
   */
  public static Future<ProxyServer> start(EventLoopGroup acceptor, List<EventLoop> eventLoops, Transport transport,
                                          BatcycleConfig config, RequestPath path, ServerTls tls) {
    ClientConnections connections = new ClientConnections(config.listener(), path.meters());
    ClientErrors clientErrors = new ClientErrors(path.meters().registry(), path.meters().tags());
    ClientPace clientPace = new ClientPace(config.clientPace(), path.meters().registry(), path.meters().tags());
    List<ProxyLoop> loops = new ArrayList<>();
    Map<EventLoop, ChannelSetup> setups = new IdentityHashMap<>();
    for (EventLoop eventLoop : eventLoops) {
      ProxyLoop loop = new ProxyLoop(eventLoop, transport, config, path, clientErrors, clientPace);
      loops.add(loop);
      setups.put(eventLoop, new ChannelSetup(loop, config.listener(), connections,
          config.lifecycle().drainTimeout().toMillis(), tls));
    }
    HostPort address = config.listener().address();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, new LoopGroup(eventLoops))
        .channelFactory(transport.serverChannelFactory(false))
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            setups.get(channel.eventLoop()).accepted(channel);
          }
        });
    Promise<ProxyServer> started = Promise.promise();
    bootstrap.bind(address.host(), address.port()).addListener(bound -> {
      if (bound.isSuccess()) {
        started.complete(new ProxyServer(((io.netty.channel.ChannelFuture) bound).channel(), loops, setups,
            connections));
      } else {
        started.fail(ConfigException.bindFailure(MeterNames.DIRECTION_OUTBOUND.equals(path.direction())
            ? "outbound[" + path.name() + "].listen" : Key.LISTEN.path(), address, bound.cause()));
      }
    });
    return started.future();
  }

  /**
   * Swaps in a reloaded configuration: the shared state first ({@link RequestPath#reconfigure}), then each loop, on
   * that loop, builds its pipeline and takes the listener settings for the connections it accepts from then on.
   * Completes once every loop has switched, so the next request anywhere runs with {@code next}. Exchanges and
   * connections already under way keep the settings they started with.
   */
  public Future<Void> reconfigure(BatcycleConfig next, RequestPath path) {
    connections.reconfigure(next.listener());
    path.reconfigure(next);
    List<Future<Void>> switched = new ArrayList<>();
    for (ProxyLoop loop : loops) {
      Promise<Void> done = Promise.promise();
      loop.eventLoop().execute(() -> {
        loop.apply(next, path);
        setups.get(loop.eventLoop()).reconfigure(next.listener(), next.lifecycle().drainTimeout().toMillis());
        done.complete();
      });
      switched.add(done.future());
    }
    return Future.all(switched).mapEmpty();
  }

  /** Loops serving the proxy. */
  public int instances() {
    return loops.size();
  }

  public int port() {
    return port;
  }

  /**
   * Graceful stop: no new connections; idle keep-alive connections close, busy ones close after their current
   * response (HTTP/2: GOAWAY), and whatever is still open after {@code timeout} is cut. Completes when the last
   * connection closed, or at the timeout.
   */
  public Future<Void> shutdown(Duration timeout) {
    Promise<Void> drained = Promise.promise();
    listener.close().addListener(closed -> {
      loops.forEach(loop -> loop.eventLoop().execute(loop::drain));
      long deadline = System.nanoTime() + timeout.toNanos();
      awaitClosed(deadline, drained);
    });
    return drained.future();
  }

  private void awaitClosed(long deadlineNanos, Promise<Void> drained) {
    if (openConnections() == 0) {
      drained.tryComplete();
    } else if (System.nanoTime() >= deadlineNanos) {
      loops.forEach(loop -> loop.eventLoop().execute(loop::closeAll));
      drained.tryComplete();
    } else {
      timerLoop.schedule(() -> awaitClosed(deadlineNanos, drained), DRAIN_CHECK_MS, TimeUnit.MILLISECONDS);
    }
  }

  private int openConnections() {
    int open = 0;
    for (ProxyLoop loop : loops) {
      open += loop.openConnections();
    }
    return open;
  }

  /** Closes the listener and every connection at once. */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    listener.close().addListener(done -> {
      loops.forEach(loop -> loop.eventLoop().execute(loop::closeAll));
      closed.complete();
    });
    return closed.future();
  }
}
