package batcycle.headers;

import io.netty.util.AsciiString;

/**
 * Header names batcycle reads or writes; one place, so a rename cannot miss a use. They are {@link AsciiString}s
 * because the header maps hash a name on every get, set and remove: an AsciiString caches its hash, a String
 * would be hashed again on each of the dozens of lookups a request makes.
 */
public final class HeaderNames {
  public static final AsciiString CONNECTION = AsciiString.cached("connection");
  public static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  public static final AsciiString TE = AsciiString.cached("te");
  public static final AsciiString TRAILER = AsciiString.cached("trailer");
  public static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
  public static final AsciiString UPGRADE = AsciiString.cached("upgrade");
  public static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");
  public static final AsciiString HOST = AsciiString.cached("host");
  public static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
  public static final AsciiString EXPECT = AsciiString.cached("expect");
  public static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
  public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
  public static final AsciiString USER_AGENT = AsciiString.cached("user-agent");
  public static final AsciiString VIA = AsciiString.cached("via");
  public static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
  /** A client's promise that repeating the request is safe (IETF draft-ietf-httpapi-idempotency-key-header). */
  public static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
  /** A client's own, shorter timeout for this request; batcycle's own header, never forwarded. */
  public static final AsciiString X_BATCYCLE_TIMEOUT = AsciiString.cached("x-batcycle-timeout");
  /** Set on responses batcycle generates itself, with a stable failure code. */
  public static final AsciiString X_BATCYCLE_ERROR = AsciiString.cached("x-batcycle-error");

  private HeaderNames() {}
}
