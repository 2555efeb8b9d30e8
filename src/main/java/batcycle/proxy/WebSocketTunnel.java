package batcycle.proxy;

import batcycle.headers.HeaderNames;
import batcycle.headers.HopByHop;
import batcycle.pipeline.Exchange;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Tunnels a WebSocket upgrade. A 101 from the app opens the tunnel only if it is the answer to the client's own
 * handshake: it names {@code websocket} in {@code Upgrade} and {@code upgrade} in {@code Connection}, and its
 * {@code Sec-WebSocket-Accept} matches the client's key (RFC 6455 §4.2.2, and the client's checks in §4.1). Any
 * other 101 would turn the connection into a raw byte pipe that metrics, limits and timeouts no longer see: it is
 * answered 502 instead. Once both sides switched, {@link TunnelHandler}s carry the bytes.
 */
final class WebSocketTunnel {
  private static final AsciiString SEC_WEBSOCKET_KEY = AsciiString.cached("sec-websocket-key");
  private static final AsciiString SEC_WEBSOCKET_ACCEPT = AsciiString.cached("sec-websocket-accept");
  /** RFC 6455 §1.3: the GUID every server appends to the client's key. */
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSocketTunnel() {}

  /** Why the app's 101 is not a valid answer to this handshake, or null if it is. */
  static String problem(Exchange exchange, HttpResponse upgrade) {
    HttpHeaders headers = upgrade.headers();
    if (!headers.containsValue(HeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return "101 Switching Protocols without Upgrade: websocket";
    }
    if (!HopByHop.connectionTokens(headers).contains(HeaderNames.UPGRADE.toString())) {
      return "101 Switching Protocols without Connection: upgrade";
    }
    String key = exchange.headers().get(SEC_WEBSOCKET_KEY);
    String accept = headers.get(SEC_WEBSOCKET_ACCEPT);
    if (key == null || accept == null || !accept.trim().equals(acceptFor(key.trim()))) {
      return "101 Switching Protocols with a Sec-WebSocket-Accept that does not match the client's key";
    }
    return null;
  }

  static String acceptFor(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
