package batcycle.headers;

/** Header names batcycle reads or writes; one place, so a rename cannot miss a use. */
public final class HeaderNames {
  public static final String CONNECTION = "connection";
  public static final String KEEP_ALIVE = "keep-alive";
  public static final String PROXY_CONNECTION = "proxy-connection";
  public static final String TE = "te";
  public static final String TRAILER = "trailer";
  public static final String TRANSFER_ENCODING = "transfer-encoding";
  public static final String UPGRADE = "upgrade";
  public static final String HTTP2_SETTINGS = "http2-settings";
  public static final String HOST = "host";
  public static final String CONTENT_LENGTH = "content-length";
  public static final String EXPECT = "expect";
  public static final String X_REQUEST_ID = "x-request-id";
  public static final String X_FORWARDED_FOR = "x-forwarded-for";
  public static final String X_FORWARDED_PROTO = "x-forwarded-proto";
  public static final String X_FORWARDED_HOST = "x-forwarded-host";
  public static final String X_FORWARDED_PORT = "x-forwarded-port";
  public static final String FORWARDED = "forwarded";
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final String USER_AGENT = "user-agent";
  public static final String VIA = "via";
  public static final String RETRY_AFTER = "retry-after";
  /** A client's promise that repeating the request is safe (IETF draft-ietf-httpapi-idempotency-key-header). */
  public static final String IDEMPOTENCY_KEY = "idempotency-key";
  /** A client's own, shorter timeout for this request; batcycle's own header, never forwarded. */
  public static final String X_BATCYCLE_TIMEOUT = "x-batcycle-timeout";
  /** Set on responses batcycle generates itself, with a stable failure code. */
  public static final String X_BATCYCLE_ERROR = "x-batcycle-error";

  private HeaderNames() {}
}
