package batcycle.proxy;

import batcycle.config.BatcycleConfig;
import batcycle.config.OutboundConfig;
import batcycle.config.OutboundProtocol;
import batcycle.config.UpstreamConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.metrics.MeterNames;
import batcycle.metrics.ProxyMeters;
import batcycle.upstream.Endpoint;
import batcycle.upstream.EndpointPicker;
import batcycle.upstream.EndpointSet;
import batcycle.upstream.NameResolution;
import batcycle.upstream.TlsOrigination;
import java.net.InetSocketAddress;

/**
 * Where one request path forwards to, shared by its event loops: the upstream's addresses (the app's one, or a
 * remote's, resolved and health-checked), how an attempt picks one, and how connections to it are made (TLS or not,
 * HTTP/1.1, HTTP/2 or negotiated by ALPN), pooled per address and event loop ({@link LoopUpstream}).
 */
final class Upstream {
  /** The protocol to the upstream. */
  enum Mode {
    HTTP1,
    /** h2c with prior knowledge, or ALPN h2 over TLS. */
    H2,
    /** Over TLS: HTTP/2 if the remote offers it in ALPN, else HTTP/1.1. */
    AUTO
  }

  private final EndpointSet endpoints;
  private final EndpointPicker picker;
  private final TlsOrigination tls;
  private final Mode mode;
  private final boolean remote;
  private final int connectionsPerLoop;

  private Upstream(EndpointSet endpoints, EndpointPicker picker, TlsOrigination tls, Mode mode, boolean remote,
                   int connectionsPerLoop) {
    this.endpoints = endpoints;
    this.picker = picker;
    this.tls = tls;
    this.mode = mode;
    this.remote = remote;
    this.connectionsPerLoop = connectionsPerLoop;
  }

  /** The app behind the inbound listener. */
  static Upstream app(BatcycleConfig config, ProxyMeters meters) {
    UpstreamConfig app = config.upstream();
    Endpoint endpoint = new Endpoint(new InetSocketAddress(app.host(), app.port()), app.host(), app.authority());
    EndpointSet set = EndpointSet.fixed(MeterNames.UPSTREAM_APP, endpoint, meters.registry(), meters.tags());
    // A pool set in total is split over the loops. One that follows limits.maxConcurrent is not: the permits already
    // bound the connections in use over all loops, and a split would strand requests holding a permit on a loop
    // whose share is taken while another loop's stands idle.
    int connectionsPerLoop = config.pool().maxConnections().isPresent()
        ? perLoop(app.maxConnections(), config.listener().eventLoops()) : app.maxConnections();
    return new Upstream(set, new EndpointPicker(batcycle.config.Balancer.LEAST_REQUEST), null,
        app.protocol() == UpstreamProtocol.H2C ? Mode.H2 : Mode.HTTP1, false, connectionsPerLoop);
  }

  /** An outbound entry's remote; its names are resolved once {@link #start() started}. */
  static Upstream remote(OutboundConfig entry, NameResolution dns, ProxyMeters meters) {
    BatcycleConfig settings = entry.settings();
    EndpointSet set = EndpointSet.resolving(entry.name(), entry.upstreams(), entry.tls().serverName(),
        entry.headers().host(), entry.outlier(), dns, meters.registry(), meters.tags());
    TlsOrigination tls = entry.secure()
        ? TlsOrigination.create(entry.name(), entry.tls(), settings.timeouts().connect().toMillis()) : null;
    OutboundProtocol protocol = entry.routing().protocol();
    Mode mode = protocol == OutboundProtocol.H2 ? Mode.H2
        : protocol == OutboundProtocol.AUTO && tls != null ? Mode.AUTO : Mode.HTTP1;
    // Per address: every address of the remote gets a pool of this size.
    return new Upstream(set, new EndpointPicker(entry.routing().balancer()), tls, mode, true,
        perLoop(settings.upstream().maxConnections(), settings.listener().eventLoops()));
  }

  private static int perLoop(int total, int loops) {
    return Math.max(1, (total + loops - 1) / loops);
  }

  void start() {
    endpoints.start();
  }

  void close() {
    endpoints.close();
  }

  EndpointSet endpoints() {
    return endpoints;
  }

  EndpointPicker picker() {
    return picker;
  }

  /** Null for plain connections. */
  TlsOrigination tls() {
    return tls;
  }

  Mode mode() {
    return mode;
  }

  /**
   * True for an outbound remote: the Host header names the remote (never the app's 127.0.0.1:9001), and attempts
   * report to passive health checking.
   */
  boolean isRemote() {
    return remote;
  }

  /** Connections per address on one event loop. */
  int connectionsPerLoop() {
    return connectionsPerLoop;
  }
}
