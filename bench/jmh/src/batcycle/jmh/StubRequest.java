package batcycle.jmh;

import io.netty.handler.codec.DecoderResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpFrame;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.StreamPriority;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Set;

/**
 * A parsed HTTP/1.1 request head without a connection, for benchmarks of the code that reads one. A plain class
 * rather than a reflection proxy, so that calling it costs and allocates what a Vert.x request does (a field read).
 * Anything that needs a live connection throws: if the measured code starts calling it, the benchmark fails
 * instead of silently measuring something else.
 */
public final class StubRequest implements HttpServerRequest {
  private final HttpMethod method;
  private final String uri;
  private final MultiMap headers;
  private final SocketAddress remoteAddress;
  private final HostAndPort authority;
  private final long bytesRead;

  /** {@code headers} must be what the Vert.x HTTP/1 decoder fills ({@code HttpHeaders.headers()}); not copied. */
  public StubRequest(HttpMethod method, String uri, MultiMap headers, SocketAddress remoteAddress, long bytesRead) {
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.remoteAddress = remoteAddress;
    String host = headers.get("host");
    this.authority = host == null ? null : HostAndPort.parseAuthority(host, -1);
    this.bytesRead = bytesRead;
  }

  @Override
  public HttpMethod method() {
    return method;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public String path() {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  @Override
  public String query() {
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  @Override
  public MultiMap headers() {
    return headers;
  }

  @Override
  public HttpVersion version() {
    return HttpVersion.HTTP_1_1;
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public HostAndPort authority() {
    return authority;
  }

  @Override
  public HostAndPort authority(boolean real) {
    return authority;
  }

  @Override
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public DecoderResult decoderResult() {
    return DecoderResult.SUCCESS;
  }

  @Override
  public boolean isEnded() {
    return true;
  }

  // Everything below needs a connection, a body or a response: not part of what the benchmarks measure.

  private static UnsupportedOperationException live(String what) {
    return new UnsupportedOperationException("benchmark stand-in request has no connection: " + what);
  }

  @Override
  public HttpServerRequest exceptionHandler(Handler<Throwable> handler) {
    throw live("exceptionHandler");
  }

  @Override
  public HttpServerRequest handler(Handler<Buffer> handler) {
    throw live("handler");
  }

  @Override
  public HttpServerRequest pause() {
    throw live("pause");
  }

  @Override
  public HttpServerRequest resume() {
    throw live("resume");
  }

  @Override
  public HttpServerRequest fetch(long amount) {
    throw live("fetch");
  }

  @Override
  public HttpServerRequest endHandler(Handler<Void> endHandler) {
    throw live("endHandler");
  }

  @Override
  public HttpServerResponse response() {
    throw live("response");
  }

  @Override
  public HttpServerRequest setParamsCharset(String charset) {
    throw live("setParamsCharset");
  }

  @Override
  public String getParamsCharset() {
    throw live("getParamsCharset");
  }

  @Override
  public MultiMap params(boolean semicolonIsNormalChar) {
    throw live("params");
  }

  @Override
  public String absoluteURI() {
    throw live("absoluteURI");
  }

  @Override
  public Future<Buffer> body() {
    throw live("body");
  }

  @Override
  public Future<Void> end() {
    throw live("end");
  }

  @Override
  public Future<NetSocket> toNetSocket() {
    throw live("toNetSocket");
  }

  @Override
  public HttpServerRequest setExpectMultipart(boolean expect) {
    throw live("setExpectMultipart");
  }

  @Override
  public boolean isExpectMultipart() {
    throw live("isExpectMultipart");
  }

  @Override
  public HttpServerRequest uploadHandler(Handler<HttpServerFileUpload> uploadHandler) {
    throw live("uploadHandler");
  }

  @Override
  public MultiMap formAttributes() {
    throw live("formAttributes");
  }

  @Override
  public String getFormAttribute(String attributeName) {
    throw live("getFormAttribute");
  }

  @Override
  public Future<ServerWebSocket> toWebSocket() {
    throw live("toWebSocket");
  }

  @Override
  public HttpServerRequest customFrameHandler(Handler<HttpFrame> handler) {
    throw live("customFrameHandler");
  }

  @Override
  public HttpConnection connection() {
    throw live("connection");
  }

  @Override
  public HttpServerRequest streamPriorityHandler(Handler<StreamPriority> handler) {
    throw live("streamPriorityHandler");
  }

  @Override
  public Cookie getCookie(String name) {
    throw live("getCookie");
  }

  @Override
  public Cookie getCookie(String name, String domain, String path) {
    throw live("getCookie");
  }

  @Override
  public Set<Cookie> cookies(String name) {
    throw live("cookies");
  }

  @Override
  public Set<Cookie> cookies() {
    throw live("cookies");
  }
}
