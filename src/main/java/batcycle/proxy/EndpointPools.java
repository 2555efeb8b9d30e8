package batcycle.proxy;

import batcycle.upstream.Endpoint;
import batcycle.upstream.TlsOrigination;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's connections to one address: an HTTP/1.1 pool, and an HTTP/2 pool when the upstream speaks
 * HTTP/2 (WebSocket handshakes always take HTTP/1.1). With {@code protocol: auto} over TLS the protocol is learnt
 * from the first connection's ALPN: until then attempts go to the HTTP/1.1 pool, whose connections offer both; a
 * connection on which the remote chose h2 moves to the HTTP/2 pool, and so do the attempts waiting here. Once a
 * second, each pool closes the connections idle too long.
 *
 * <p>Confined to its event loop.
 */
final class EndpointPools {
  private static final long SWEEP_MS = 1000;
  private final LoopUpstream owner;
  private final Endpoint endpoint;
  private final Upstream.Mode mode;
  private UpstreamPool http1;
  private H2UpstreamPool h2;
  /** With auto: true once the remote chose h2, false once it chose HTTP/1.1, null until known. */
  private Boolean speaksH2;
  private ScheduledFuture<?> sweeper;
  private int active;
  private boolean closed;

  EndpointPools(LoopUpstream owner, Endpoint endpoint) {
    this.owner = owner;
    this.endpoint = endpoint;
    this.mode = owner.upstream().mode();
  }

  Endpoint endpoint() {
    return endpoint;
  }

  ProxyLoop loop() {
    return owner.loop();
  }

  /** Null for plain connections. */
  TlsOrigination tls() {
    return owner.upstream().tls();
  }

  /** Attempts in progress on this address from this loop, for the balancer. */
  int active() {
    return active;
  }

  void attemptStarted() {
    active++;
  }

  void attemptEnded() {
    active--;
  }

  void acquire(Attempt attempt) {
    if (attempt.isWebSocket() || mode == Upstream.Mode.HTTP1 || mode == Upstream.Mode.AUTO && speaksH2 != Boolean.TRUE) {
      http1().acquire(attempt);
    } else {
      h2().acquire(attempt);
    }
  }

  void leave(Attempt attempt) {
    if (http1 != null) {
      http1.leave(attempt);
    }
    if (h2 != null) {
      h2.leave(attempt);
    }
  }

  /** What the HTTP/1.1 pool's new connections offer in ALPN: both, while auto has not learnt the protocol. */
  TlsOrigination.Alpn http1Alpn() {
    return mode == Upstream.Mode.AUTO && speaksH2 == null ? TlsOrigination.Alpn.EITHER : TlsOrigination.Alpn.HTTP1;
  }

  /**
   * An HTTP/1.1 pool connection finished its handshake with {@code protocol} chosen in ALPN (null: none). Returns
   * true if the connection was handed to the HTTP/2 pool, which then serves {@code attempt} too.
   */
  boolean negotiated(Channel channel, String protocol, Attempt attempt) {
    if (mode != Upstream.Mode.AUTO) {
      return false;
    }
    if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      speaksH2 = false;
      return false;
    }
    speaksH2 = true;
    h2().adopt(channel);
    if (!attempt.isWebSocket()) {
      h2.acquire(attempt);
    } else {
      http1.acquire(attempt); // a new connection, offering HTTP/1.1 only now
    }
    http1.moveWaiting(waiting -> !waiting.isWebSocket(), h2::acquire);
    return true;
  }

  /** The HTTP/2 pool's connection did not get h2 in ALPN: with auto, learn the protocol again. */
  void h2Refused() {
    if (mode == Upstream.Mode.AUTO) {
      speaksH2 = null;
    }
  }

  private UpstreamPool http1() {
    if (http1 == null) {
      http1 = new UpstreamPool(this, owner.upstream().connectionsPerLoop(), owner.loop().poolIdleNanos(),
          owner.loop().connectTimeoutMs(), owner.loop().maxRequestLine(), owner.loop().upstreamConnections());
      if (closed) {
        http1.close();
      } else {
        sweepEverySecond();
      }
    }
    return http1;
  }

  private H2UpstreamPool h2() {
    if (h2 == null) {
      h2 = new H2UpstreamPool(this, owner.upstream().connectionsPerLoop(), owner.loop().poolIdleNanos(),
          owner.loop().connectTimeoutMs(), owner.loop().upstreamConnections());
      if (closed) {
        h2.close();
      } else {
        sweepEverySecond();
      }
    }
    return h2;
  }

  private void sweepEverySecond() {
    if (sweeper == null) {
      sweeper = owner.loop().eventLoop().scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    if (http1 != null) {
      http1.sweep();
    }
    if (h2 != null) {
      h2.sweep();
    }
  }

  void close() {
    closed = true;
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    if (http1 != null) {
      http1.close();
    }
    if (h2 != null) {
      h2.close();
    }
  }
}
