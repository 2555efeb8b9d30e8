package batcycle.headers;

import batcycle.config.HeaderConfig;
import batcycle.config.UpstreamConfig;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import batcycle.pipeline.Protocol;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.Future;

/**
 * Tells the app who really called: appends the client address to {@code X-Forwarded-For}, sets
 * {@code X-Forwarded-Proto/-Host/-Port}, and optionally RFC 7239 {@code Forwarded} and {@code Via}, and the subject
 * of the client's TLS certificate ({@code headers.clientCertHeader}). Runs once per request, not per attempt, so a
 * retry cannot append twice.
 */
public final class ForwardedHeadersLayer implements Layer {
  private static final String VIA_NAME = "batcycle";
  private final HeaderConfig config;
  private final UpstreamConfig upstream;
  private final AsciiString clientCertHeader;

  public ForwardedHeadersLayer(HeaderConfig config, UpstreamConfig upstream) {
    this.config = config;
    this.upstream = upstream;
    this.clientCertHeader = config.clientCertHeader().isEmpty() ? null
        : AsciiString.cached(config.clientCertHeader().toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (clientCertHeader != null) {
      // Only batcycle may say who the client proved to be: a client's own value never reaches the app.
      exchange.headers().remove(clientCertHeader);
      if (exchange.clientCertSubject() != null) {
        exchange.headers().set(clientCertHeader, exchange.clientCertSubject());
      }
    }
    apply(exchange.headers(), exchange.clientAddress(), exchange.localPort(), exchange.protocol(),
        exchange.isSecure());
    return next.proceed(exchange);
  }

  /**
   * {@code clientAddress}: the client's IP address as text, or null if unknown; {@code listenerPort}: the port the
   * request arrived on.
   */
  void apply(HttpHeaders headers, String clientAddress, int listenerPort, Protocol protocol, boolean secure) {
    String clientIp = clientAddress == null ? "unknown" : clientAddress;
    String proto = secure ? "https" : "http";
    // The Host the request preparation resolved: the Host header, an HTTP/2 :authority, or the authority of an
    // absolute-form target, which RFC 9112 §3.2.2 says replaces Host.
    String host = headers.get(HeaderNames.HOST);

    appendList(headers, HeaderNames.X_FORWARDED_FOR, clientIp);
    setUnlessTrusted(headers, HeaderNames.X_FORWARDED_PROTO, proto);
    if (host != null) {
      setUnlessTrusted(headers, HeaderNames.X_FORWARDED_HOST, host);
    }
    // The port the client connected to, as Envoy sets it: a port in Host is whatever the client wrote, and behind
    // a Service it names the Service's port, which the app cannot use to tell listeners apart either.
    setUnlessTrusted(headers, HeaderNames.X_FORWARDED_PORT, Integer.toString(listenerPort));
    if (config.forwarded()) {
      StringBuilder element = new StringBuilder("for=").append(forwardedNode(clientIp)).append(";proto=")
          .append(proto);
      if (host != null) {
        element.append(";host=\"").append(host).append('"');
      }
      appendList(headers, HeaderNames.FORWARDED, element.toString());
    }
    if (config.via()) {
      appendVia(headers, protocol);
    }
    if (!config.preserveHost()) {
      headers.set(HeaderNames.HOST, upstream.authority());
    }
  }

  /** A layer that only appends Via: what an outbound remote gets (X-Forwarded-* describe a client to the app). */
  public static Layer viaOnly() {
    return (exchange, next) -> {
      appendVia(exchange.headers(), exchange.protocol());
      return next.proceed(exchange);
    };
  }

  /** Adds {@code 1.1 batcycle} (or {@code 2 batcycle}) to Via, keeping what earlier hops wrote. */
  public static void appendVia(HttpHeaders headers, Protocol protocol) {
    appendList(headers, HeaderNames.VIA, protocol.viaVersion() + " " + VIA_NAME);
  }

  private void setUnlessTrusted(HttpHeaders headers, CharSequence name, String value) {
    if (!config.trustForwarded() || !headers.contains(name)) {
      headers.set(name, value);
    }
  }

  /** Joins repeated header lines into one and appends, so the app sees one ordered list (RFC 9110 §5.3). */
  private static void appendList(HttpHeaders headers, CharSequence name, String value) {
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
}
