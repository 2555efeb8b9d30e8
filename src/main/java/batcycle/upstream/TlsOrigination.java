package batcycle.upstream;

import batcycle.config.ConfigException;
import batcycle.config.Key;
import batcycle.config.OutboundTlsConfig;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.config.IpLiteral;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * TLS to https:// remotes: TLS 1.3 and 1.2 only; the remote's certificate verified against the system's trust store
 * or {@code tls.caFile}, and its name against the URL's host (or {@code tls.serverName}), which is also sent as SNI;
 * a client certificate when {@code tls.certFile} is set; ALPN offering h2, http/1.1 or both. A failed verification
 * is never accepted: it fails the attempt as {@link FailureKind#TLS_VERIFICATION}, with its own error code and flag.
 */
public final class TlsOrigination {
  /** What a connection offers in ALPN. */
  public enum Alpn { HTTP1, H2, EITHER }

  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /**
   * Set on a connection the remote refused with a certificate alert after the handshake: with TLS 1.3 the client's
   * handshake completes before the server has judged the client's certificate, so the refusal arrives with the first
   * response. Its exchange fails with this, not as a reset.
   */
  public static final AttributeKey<ProxyFailure> REFUSAL = AttributeKey.valueOf(TlsOrigination.class, "refusal");
  /** TLS alerts (RFC 8446 §6.2) by which a server refuses the client's certificate, or the lack of one. */
  private static final List<String> CERTIFICATE_ALERTS = List.of("certificate_required", "bad_certificate",
      "unknown_ca", "certificate_unknown", "certificate_expired", "certificate_revoked", "access_denied",
      "unsupported_certificate");
  private final SslContext http1;
  private final SslContext h2;
  private final SslContext either;
  private final long handshakeTimeoutMs;

  private TlsOrigination(SslContext http1, SslContext h2, SslContext either, long handshakeTimeoutMs) {
    this.http1 = http1;
    this.h2 = h2;
    this.either = either;
    this.handshakeTimeoutMs = handshakeTimeoutMs;
  }

  /**
   * Reads the certificates and key; a file that is not valid PEM fails with a {@link ConfigException} naming the
   * entry's key. {@code handshakeTimeoutMs}: the connect timeout, which the handshake is part of.
   */
  public static TlsOrigination create(String entry, OutboundTlsConfig config, long handshakeTimeoutMs) {
    return new TlsOrigination(context(entry, config, ApplicationProtocolNames.HTTP_1_1),
        context(entry, config, ApplicationProtocolNames.HTTP_2),
        context(entry, config, ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1),
        handshakeTimeoutMs);
  }

  private static SslContext context(String entry, OutboundTlsConfig config, String... alpn) {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .protocols(PROTOCOLS)
        .endpointIdentificationAlgorithm("HTTPS")
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    Key failing = Key.OUTBOUND_TLS_CA_FILE;
    try {
      if (!config.caFile().isEmpty()) {
        builder.trustManager(new File(config.caFile()));
      }
      failing = Key.OUTBOUND_TLS_CERT_FILE;
      if (config.hasClientCertificate()) {
        builder.keyManager(new File(config.certFile()), new File(config.keyFile()));
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      String value = failing == Key.OUTBOUND_TLS_CA_FILE ? config.caFile()
          : config.certFile() + "' and '" + config.keyFile();
      throw new ConfigException("outbound[" + entry + "]." + failing.path().substring("outbound.".length()) + ": '"
          + value + "' cannot be used (" + rootMessage(e) + "; expected PEM"
          + (failing == Key.OUTBOUND_TLS_CA_FILE ? " certificates)" : " certificates and a PKCS#8 key)"));
    }
  }

  /** A TLS handler for a connection to {@code endpoint}: SNI and verification name, handshake bounded in time. */
  public SslHandler newHandler(ByteBufAllocator alloc, Endpoint endpoint, Alpn alpn) {
    SslContext context = switch (alpn) {
      case HTTP1 -> http1;
      case H2 -> h2;
      case EITHER -> either;
    };
    SslHandler handler = context.newHandler(alloc, endpoint.serverName(), endpoint.socketAddress().getPort());
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMs);
    if (IpLiteral.parse(endpoint.serverName()).isEmpty()) {
      // The JDK leaves SNI out for a name without a dot (Kubernetes' short service names, localhost); servers
      // that route by SNI need it, so it is always sent for a name (never for an address, RFC 6066 §3).
      SSLEngine engine = handler.engine();
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(endpoint.serverName())));
      engine.setSSLParameters(parameters);
    }
    return handler;
  }

  /** Put right behind the TLS handler: notes a remote's refusal of the client certificate ({@link #REFUSAL}). */
  public static ChannelHandler refusalWatcher(Endpoint endpoint) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String alert = certificateAlert(cause);
        if (alert != null && !ctx.channel().hasAttr(REFUSAL)) {
          ctx.channel().attr(REFUSAL).set(ProxyFailure.of(FailureKind.TLS_HANDSHAKE, endpoint.serverName()
              + " at " + endpoint + " refused the client certificate (" + alert + "); see tls.certFile", cause));
        }
        ctx.fireExceptionCaught(cause);
      }
    };
  }

  /** The certificate alert a failure carries, or null. */
  private static String certificateAlert(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof SSLException && c.getMessage() != null) {
        String message = c.getMessage().toLowerCase(Locale.ROOT);
        for (String alert : CERTIFICATE_ALERTS) {
          if (message.contains(alert)) {
            return alert;
          }
        }
      }
    }
    return null;
  }

  /** The failure an attempt reports for a handshake with {@code endpoint} that failed with {@code cause}. */
  public static ProxyFailure handshakeFailure(Throwable cause, Endpoint endpoint) {
    if (certificateAlert(cause) != null) {
      return ProxyFailure.of(FailureKind.TLS_HANDSHAKE, endpoint.serverName() + " at " + endpoint
          + " refused the client certificate (" + certificateAlert(cause) + "); see tls.certFile", cause);
    }
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof CertificateException || c instanceof CertPathValidatorException
          || c instanceof CertPathBuilderException) {
        return ProxyFailure.of(FailureKind.TLS_VERIFICATION, "the certificate of " + endpoint.serverName() + " at "
            + endpoint + " failed verification: " + rootMessage(cause), cause);
      }
    }
    return ProxyFailure.of(FailureKind.TLS_HANDSHAKE, "TLS handshake with " + endpoint.serverName() + " at "
        + endpoint + " failed: " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : cause.getMessage();
    return message != null ? message : root.getClass().getSimpleName();
  }
}
