package batcycle.headers;

import batcycle.config.HeaderConfig;
import batcycle.config.UpstreamConfig;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * Tells the app who really called: appends the client address to {@code X-Forwarded-For}, sets
 * {@code X-Forwarded-Proto/-Host/-Port}, and optionally RFC 7239 {@code Forwarded} and {@code Via}. Runs once per
 * request, not per attempt, so a retry cannot append twice.
 */
public final class ForwardedHeadersLayer implements Layer {
  private static final String VIA_NAME = "batcycle";
  private final HeaderConfig config;
  private final UpstreamConfig upstream;

  public ForwardedHeadersLayer(HeaderConfig config, UpstreamConfig upstream) {
    this.config = config;
    this.upstream = upstream;
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    apply(exchange.inbound(), exchange.clientAddress(), exchange.headers());
    return next.proceed(exchange);
  }

  /** {@code clientAddress}: the client's IP address as text, or null if unknown. */
  void apply(HttpServerRequest inbound, String clientAddress, MultiMap headers) {
    String clientIp = clientAddress == null ? "unknown" : clientAddress;
    String proto = inbound.scheme() == null ? "http" : inbound.scheme();
    // The Host the proxy already resolved wins over the connection's authority: for an absolute-form target
    // Vert.x still reports the Host header, but RFC 9112 §3.2.2 says the target's authority replaces it.
    String resolvedHost = headers.get(HeaderNames.HOST);
    HostAndPort authority = resolvedHost != null ? HostAndPort.parseAuthority(resolvedHost, -1) : inbound.authority();
    String host = resolvedHost != null ? resolvedHost : authority == null ? null : authority.toString();

    appendList(headers, HeaderNames.X_FORWARDED_FOR, clientIp);
    setUnlessTrusted(headers, HeaderNames.X_FORWARDED_PROTO, proto);
    if (host != null) {
      setUnlessTrusted(headers, HeaderNames.X_FORWARDED_HOST, host);
    }
    int port = authority != null && authority.port() > 0 ? authority.port() : defaultPort(proto);
    setUnlessTrusted(headers, HeaderNames.X_FORWARDED_PORT, Integer.toString(port));
    if (config.forwarded()) {
      StringBuilder element = new StringBuilder("for=").append(forwardedNode(clientIp)).append(";proto=")
          .append(proto);
      if (host != null) {
        element.append(";host=\"").append(host).append('"');
      }
      appendList(headers, HeaderNames.FORWARDED, element.toString());
    }
    if (config.via()) {
      appendVia(headers, inbound.version());
    }
    if (!config.preserveHost()) {
      headers.set(HeaderNames.HOST, upstream.authority());
    } else if (host != null) {
      // HTTP/2 clients send :authority instead of Host; the app still needs a Host.
      headers.set(HeaderNames.HOST, host);
    }
  }

  /** Adds {@code 1.1 batcycle} (or {@code 2 batcycle}) to Via, keeping what earlier hops wrote. */
  public static void appendVia(MultiMap headers, HttpVersion version) {
    String protocol = switch (version) {
      case HTTP_2 -> "2";
      case HTTP_1_0 -> "1.0";
      default -> "1.1";
    };
    appendList(headers, HeaderNames.VIA, protocol + " " + VIA_NAME);
  }

  private void setUnlessTrusted(MultiMap headers, CharSequence name, String value) {
    if (!config.trustForwarded() || !headers.contains(name)) {
      headers.set(name, value);
    }
  }

  /** Joins repeated header lines into one and appends, so the app sees one ordered list (RFC 9110 §5.3). */
  private static void appendList(MultiMap headers, CharSequence name, String value) {
    var existing = headers.getAll(name);
    if (existing.isEmpty()) {
      headers.set(name, value);
    } else {
      headers.set(name, String.join(", ", existing) + ", " + value);
    }
  }

  private static String forwardedNode(String ip) {
    // RFC 7239 §6: IPv6 addresses are bracketed and the node quoted.
    return ip.contains(":") ? "\"[" + ip + "]\"" : ip;
  }

  private static int defaultPort(String proto) {
    return "https".equals(proto) ? 443 : 80;
  }
}
