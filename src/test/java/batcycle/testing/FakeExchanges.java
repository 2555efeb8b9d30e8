package batcycle.testing;

import batcycle.pipeline.Exchange;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exchanges for unit tests of layers, without sockets: the inbound request is a stand-in answering what layers
 * ask of it (method, uri, headers, whether it ended), and responses are scripted.
 */
public final class FakeExchanges {
  private FakeExchanges() {}

  /** A prepared exchange for {@code method uri} with {@code headers} (name, value, ...), without a body. */
  public static Exchange exchange(HttpMethod method, String uri, String... headers) {
    return exchange(method, uri, null, headers);
  }

  /** With {@code body} as the request body (a {@link FakeBody}), or none if null. */
  public static Exchange exchange(HttpMethod method, String uri, FakeBody body, String... headers) {
    MultiMap inboundHeaders = HttpHeaders.headers();
    for (int i = 0; i < headers.length; i += 2) {
      inboundHeaders.add(headers[i], headers[i + 1]);
    }
    HttpServerRequest inbound = request(method, uri, inboundHeaders, body);
    Exchange exchange = new Exchange(inbound, "req-test", System.nanoTime(), System.currentTimeMillis());
    exchange.prepare(uri, HttpHeaders.headers().addAll(inboundHeaders), body != null, null, false);
    if (body != null) {
      exchange.body(body);
    }
    return exchange;
  }

  private static HttpServerRequest request(HttpMethod method, String uri, MultiMap headers, FakeBody body) {
    return (HttpServerRequest) Proxy.newProxyInstance(FakeExchanges.class.getClassLoader(),
        new Class<?>[] {HttpServerRequest.class}, (proxy, m, args) -> switch (m.getName()) {
          case "method" -> method;
          case "uri", "path" -> uri;
          case "headers" -> headers;
          case "getHeader" -> headers.get(args[0].toString());
          case "isEnded" -> body == null || body.isEnded();
          case "version" -> HttpVersion.HTTP_1_1;
          case "bytesRead" -> 0L;
          case "toString" -> "FakeRequest[" + method + " " + uri + "]";
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException("fake request: " + m.getName());
        });
  }

  /** A scripted response from the app; remembers whether it was consumed or aborted. */
  public static final class Response {
    public final AtomicBoolean aborted = new AtomicBoolean();
    public final AtomicBoolean finished = new AtomicBoolean();
    public final UpstreamResponse value;

    public Response(int status, String... headers) {
      MultiMap h = HttpHeaders.headers();
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
      ReadStream<Buffer> empty = new FakeBody().end();
      value = new UpstreamResponse(status, null, h, empty, HttpHeaders::headers, () -> finished.set(true),
          () -> aborted.set(true));
    }

    public Future<UpstreamResponse> future() {
      return Future.succeededFuture(value);
    }
  }
}
