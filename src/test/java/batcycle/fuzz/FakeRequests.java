package batcycle.fuzz;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.lang.reflect.Proxy;

/**
 * Inbound requests for fuzz targets, without sockets: a stand-in answering what the header code asks (method,
 * target, version, headers, authority, peer address, scheme); anything else fails loudly.
 */
final class FakeRequests {
  private FakeRequests() {}

  static HttpServerRequest request(HttpMethod method, String uri, HttpVersion version, MultiMap headers,
                                   HostAndPort authority, SocketAddress remote, String scheme) {
    return (HttpServerRequest) Proxy.newProxyInstance(FakeRequests.class.getClassLoader(),
        new Class<?>[] {HttpServerRequest.class}, (proxy, m, args) -> switch (m.getName()) {
          case "method" -> method;
          case "uri" -> uri;
          case "version" -> version;
          case "headers" -> headers;
          case "getHeader" -> headers.get(args[0].toString());
          case "authority" -> authority;
          case "remoteAddress" -> remote;
          case "scheme" -> scheme;
          case "toString" -> "FakeRequest[" + method + " " + uri + "]";
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException("fake request: " + m.getName());
        });
  }
}
