package batcycle.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's keep-alive HTTP/1.1 connections to one upstream address (over TLS to an https remote, the
 * connection counting as made once the handshake is done), created on that loop, so an attempt never hops
 * threads or takes a lock. The most recently used idle connection is taken first (it is the least likely to have
 * been closed by the app); connections idle past their keep-alive time are closed, both when found and by a sweep
 * once a second. When all {@code max} connections are busy, attempts wait in order; an attempt that gives up
 * (timeout, client gone) leaves the queue.
 *
 * <p>Confined to its event loop.
 */
final class UpstreamPool {
  /** Largest body piece the HTTP/1 decoder hands on; pieces are slices of the read buffer, so this costs nothing. */
  static final int MAX_CHUNK_SIZE = 64 * 1024;
  /** Responses from the app may carry large headers (cookies, CSP); this bounds them generously. */
  private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
  static final String CODEC = "http";
  static final String HANDLER = "batcycle-upstream";

  private final EndpointPools owner;
  private final UpstreamConnector connector;
  private final int max;
  private final long idleNanos;
  private final AtomicInteger openGauge;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
  private int open;
  private boolean closed;

  UpstreamPool(EndpointPools owner, int max, long idleNanos, long connectTimeoutMs, int maxInitialLineLength,
               AtomicInteger openGauge) {
    this.owner = owner;
    this.max = max;
    this.idleNanos = idleNanos;
    this.openGauge = openGauge;
    this.connector = new UpstreamConnector(owner, connectTimeoutMs, owner::http1Alpn, channel ->
        channel.pipeline().addLast(CODEC, new HttpClientCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE), false, false))
            .addLast(HANDLER, new UpstreamConnection(this, idleNanos)));
  }

  /** Gives {@code attempt} a connection now, once one is made, or once one is free. */
  void acquire(Attempt attempt) {
    UpstreamConnection connection = pollIdle();
    if (connection != null) {
      attempt.connected(connection);
    } else if (open < max) {
      connect(attempt);
    } else {
      waiting.add(attempt);
    }
  }

  /** The attempt no longer wants a connection. */
  void leave(Attempt attempt) {
    waiting.remove(attempt);
  }

  private UpstreamConnection pollIdle() {
    long now = System.nanoTime();
    UpstreamConnection connection;
    while ((connection = idle.pollFirst()) != null) {
      if (!connection.expired(now)) {
        return connection;
      }
      connection.channel().close();
    }
    return null;
  }

  private void connect(Attempt attempt) {
    open++;
    connector.connect(new UpstreamConnector.Outcome() {
      @Override
      public void connected(Channel channel, SslHandler tls) {
        if (tls != null && owner.negotiated(channel, tls.applicationProtocol(), attempt)) {
          open--; // the remote chose h2: the connection went to the HTTP/2 pool, and the attempt with it
          serveWaiting();
        } else {
          established(channel, attempt);
        }
      }

      @Override
      public void failed(Throwable cause) {
        connectFailed(attempt, cause);
      }
    });
  }

  private void established(Channel channel, Attempt attempt) {
    openGauge.incrementAndGet();
    UpstreamConnection connection = channel.pipeline().get(UpstreamConnection.class);
    connection.established();
    attempt.connected(connection);
  }

  private void connectFailed(Attempt attempt, Throwable cause) {
    open--;
    attempt.connectFailed(cause);
    serveWaiting();
  }

  /** Hands the waiting attempts that {@code which} selects to {@code to}, in order (the protocol was learnt). */
  void moveWaiting(Predicate<Attempt> which, Consumer<Attempt> to) {
    List<Attempt> moved = new ArrayList<>();
    waiting.removeIf(a -> which.test(a) && moved.add(a));
    moved.forEach(to);
  }

  /** A connection whose exchange ended well goes to the next waiting attempt, or back to the idle ones. */
  void release(UpstreamConnection connection) {
    Attempt next = waiting.poll();
    if (next != null) {
      next.connected(connection);
      return;
    }
    if (closed) {
      connection.channel().close();
      return;
    }
    connection.parked(System.nanoTime());
    idle.addFirst(connection);
  }

  /** A connection became a tunnel: it no longer counts against the pool. */
  void handOver(UpstreamConnection connection) {
    closed(connection);
  }

  /** A connection closed, for whatever reason: its place may go to a waiting attempt. */
  void closed(UpstreamConnection connection) {
    open--;
    openGauge.decrementAndGet();
    idle.remove(connection);
    serveWaiting();
  }

  private void serveWaiting() {
    if (!waiting.isEmpty() && open < max && !closed) {
      connect(waiting.poll());
    }
  }

  /** Closes the idle connections past their keep-alive time. */
  void sweep() {
    long now = System.nanoTime();
    idle.removeIf(connection -> {
      if (connection.expired(now)) {
        connection.channel().close();
        return true;
      }
      return false;
    });
  }

  /** Closes the idle connections; busy ones close when their exchange ends. */
  void close() {
    closed = true;
    UpstreamConnection connection;
    while ((connection = idle.poll()) != null) {
      connection.channel().close();
    }
  }
}
