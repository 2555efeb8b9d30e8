package batcycle.jmh;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;

/**
 * Realistic request and response heads for the benchmarks, as the Vert.x HTTP/1 decoders hand them over (a
 * {@code HeadersMultiMap}, names as sent on the wire). Numbers and ids are fixed; nothing depends on them.
 */
public final class Traffic {
  /** The path of every benchmark request (query included: the request log strips it, metrics ignore it). */
  public static final String URI = "/products/42?ref=home";
  /** What a pod's sidecar sees as the client: another pod or the ingress. */
  public static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(51234, "10.42.0.17");
  public static final String CLIENT_REQUEST_ID = "3f2c9a1e-7b4d-4c1a-9e6f-0d8b5a2c4e71";
  public static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  public static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/130.0.0.0 Safari/537.36";

  private Traffic() {}

  /** A page load from Chrome over HTTP/1.1: 11 headers, {@code Connection: keep-alive}, no request id or trace. */
  public static MultiMap browserRequestHeaders() {
    return headers(
        "Host", "shop.example.com",
        "Connection", "keep-alive",
        "Upgrade-Insecure-Requests", "1",
        "User-Agent", USER_AGENT,
        "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Sec-Fetch-Site", "same-origin",
        "Sec-Fetch-Mode", "navigate",
        "Referer", "https://shop.example.com/",
        "Accept-Encoding", "gzip, deflate, br, zstd",
        "Accept-Language", "en-GB,en;q=0.9",
        "Cookie", "session=8c1f0b7e2d4a4f55a1b3; theme=dark");
  }

  /**
   * A call from another service (an HTTP client library): 9 headers, carrying its own {@code X-Request-Id} and a
   * sampled W3C {@code traceparent}, and a credential.
   */
  public static MultiMap serviceRequestHeaders() {
    return headers(
        "Host", "orders.shop.svc.cluster.local",
        "User-Agent", "okhttp/4.12.0",
        "Accept", "application/json",
        "Accept-Encoding", "gzip",
        "Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYXJ0In0.c2lnbmF0dXJl",
        "X-Request-Id", CLIENT_REQUEST_ID,
        "traceparent", TRACEPARENT,
        "tracestate", "vendor=t61rcWkgMzE",
        "Connection", "keep-alive");
  }

  public static StubRequest get(MultiMap headers) {
    return new StubRequest(HttpMethod.GET, URI, headers, CLIENT, 0);
  }

  /** The app's answer to a page load: 10 headers, two of them hop-by-hop ({@code Keep-Alive}, {@code Connection}). */
  public static MultiMap appResponseHeaders() {
    return headers(
        "Content-Type", "text/html; charset=utf-8",
        "Content-Length", "5120",
        "Date", "Wed, 25 Nov 2026 17:44:00 GMT",
        "Cache-Control", "no-cache",
        "ETag", "\"5f3a-1b2c\"",
        "Vary", "Accept-Encoding",
        "Set-Cookie", "session=8c1f0b7e2d4a4f55a1b3; Path=/; HttpOnly; SameSite=Lax",
        "X-Content-Type-Options", "nosniff",
        "Keep-Alive", "timeout=60",
        "Connection", "keep-alive");
  }

  private static MultiMap headers(String... namesAndValues) {
    MultiMap headers = HttpHeaders.headers();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }
}
