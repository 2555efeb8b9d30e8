package batcycle.connection;

import batcycle.config.ListenerConfig;
import batcycle.metrics.MeterNames;
import batcycle.metrics.ProxyMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.ChannelPipeline;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections of the proxy port: counts them while open, closes those over {@code limits.maxConnections}
 * before reading from them, and times every HTTP/1 request head ({@code timeouts.requestHeader}). One instance
 * serves all event loops; the count is one shared atomic, so the cap holds across them exactly. Each protection is
 * a plain handler in the connection's pipeline, put there as the connection is accepted.
 */
public final class ClientConnections {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);
  public static final String REASON_MAX_CONNECTIONS = "max_connections";
  public static final String REASON_REQUEST_HEADER_TIMEOUT = "request_header_timeout";
  /** The name of the first handler of every connection; a TLS handler goes right behind it. */
  public static final String GUARD = ConnectionGuard.NAME;

  private final AtomicInteger open;
  // Replaced by a reload: connections accepted afterwards get the new values.
  private volatile int maxConnections;
  private volatile long headTimeoutMillis;
  private final Counter overCap;
  private final Counter headTimeouts;

  public ClientConnections(ListenerConfig config, ProxyMeters meters) {
    this.open = meters.openConnections();
    this.maxConnections = config.maxConnections();
    this.headTimeoutMillis = config.requestHeaderTimeout().toMillis();
    this.overCap = rejected(meters, REASON_MAX_CONNECTIONS);
    this.headTimeouts = rejected(meters, REASON_REQUEST_HEADER_TIMEOUT);
    Gauge.builder(MeterNames.CONNECTIONS_MAX, () -> maxConnections)
        .description("Configured cap on open client connections (0 = none)").tags(meters.tags())
        .register(meters.registry());
  }

  private static Counter rejected(ProxyMeters meters, String reason) {
    return Counter.builder(MeterNames.CONNECTIONS_REJECTED).tag(MeterNames.TAG_REASON, reason).tags(meters.tags())
        .description("Client connections batcycle closed to protect itself").register(meters.registry());
  }

  /** New limits from a reload; open connections keep the head timeout they were given. */
  public void reconfigure(ListenerConfig config) {
    this.maxConnections = config.maxConnections();
    this.headTimeoutMillis = config.requestHeaderTimeout().toMillis();
  }

  /** Puts the guard and, when on, the head timeout's raw side at the front of a new connection's pipeline. */
  public void equip(ChannelPipeline pipeline) {
    pipeline.addFirst(ConnectionGuard.NAME, new ConnectionGuard(this)); // first: a refused one reaches nothing
    long headTimeout = headTimeoutMillis;
    if (headTimeout > 0) {
      pipeline.addAfter(ConnectionGuard.NAME, RequestHeadTimeout.RAW,
          new RequestHeadTimeout(headTimeout, headTimeouts::increment).rawSide());
    }
  }

  /** The connection speaks HTTP/1: the head timeout also watches decoded heads, right behind the codec. */
  public static void http1(ChannelPipeline pipeline, String codecName) {
    RequestHeadTimeout timeout = RequestHeadTimeout.of(pipeline);
    if (timeout != null) {
      pipeline.addAfter(codecName, RequestHeadTimeout.DECODED, timeout.decodedSide());
    }
  }

  /** The connection speaks HTTP/2, or no longer HTTP/1 at all: its own framing rules apply, not the head timeout. */
  public static void notHttp1(ChannelPipeline pipeline) {
    RequestHeadTimeout timeout = RequestHeadTimeout.of(pipeline);
    if (timeout != null) {
      timeout.stopWatching(pipeline);
    }
  }

  /** Takes a place for a new connection unless the cap is reached; a CAS loop, so the count never passes it. */
  boolean tryOpen() {
    while (true) {
      int now = open.get();
      int max = maxConnections;
      if (max > 0 && now >= max) {
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
}
