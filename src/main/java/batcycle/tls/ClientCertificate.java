package batcycle.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/**
 * What the TLS handshake proved about the client: the subject of its verified certificate, for the header that
 * passes it to the app ({@code headers.clientCertHeader}). Read once per connection.
 */
public final class ClientCertificate {
  private ClientCertificate() {}

  /**
   * The subject of the client's verified certificate on {@code connection} in RFC 2253 form
   * ({@code CN=orders,O=acme}), with any byte outside visible ASCII percent-encoded so it is a valid header value;
   * null when the connection is not TLS or the client sent no certificate.
   */
  public static String subject(Channel connection) {
    SslHandler ssl = connection.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return null;
    }
    try {
      Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
        return null;
      }
      return headerSafe(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
    } catch (SSLPeerUnverifiedException e) {
      return null; // tls.clientAuth: optional, and the client sent none
    }
  }

  static String headerSafe(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
