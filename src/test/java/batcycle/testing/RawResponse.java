package batcycle.testing;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 response as {@link RawHttp} read it off the wire.
 *
 * <p>{@code complete} is false when the connection ended before the declared body or the terminating chunk arrived;
 * {@code body} then holds what did arrive. {@code trailers} is {@link RawHeaders#EMPTY} unless the body was chunked.
 */
public record RawResponse(int status, String reason, RawHeaders headers, byte[] body, boolean complete,
                          RawHeaders trailers) {

  /** The body decoded byte-for-char (ISO-8859-1), mirroring how {@link RawHttp#send(String)} encodes. */
  public String bodyText() {
    return new String(body, StandardCharsets.ISO_8859_1);
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    return headers.first(name).orElse(null);
  }

  @Override
  public String toString() {
    return "HTTP/1.1 " + status + " " + reason + (complete ? "" : " (incomplete)") + "\n" + headers
        + "\n[" + body.length + " body bytes]";
  }
}
