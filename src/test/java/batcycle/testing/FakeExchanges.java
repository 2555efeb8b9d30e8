package batcycle.testing;

import batcycle.pipeline.Body;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.LoopScheduler;
import batcycle.pipeline.Protocol;
import batcycle.pipeline.UpstreamResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Exchanges for unit tests of layers, without sockets: a prepared request head, an optional body, and a loop the
 * test drives ({@link TestLoop}); responses are scripted.
 */
public final class FakeExchanges {
  private FakeExchanges() {}

  /** A prepared exchange for {@code method uri} with {@code headers} (name, value, ...), without a body. */
  public static Exchange exchange(HttpMethod method, String uri, String... headers) {
    return exchange(new TestLoop(), method, uri, null, headers);
  }

  /** With {@code body} as the request body (a {@link FakeBody}), or none if null. */
  public static Exchange exchange(HttpMethod method, String uri, FakeBody body, String... headers) {
    return exchange(new TestLoop(), method, uri, body, headers);
  }

  /** On {@code loop}, with {@code body} as the request body, or none if null. */
  public static Exchange exchange(LoopScheduler loop, HttpMethod method, String uri, FakeBody body,
                                  String... headers) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      head.headers().add(headers[i], headers[i + 1]);
    }
    Body requestBody = body != null ? body : new FakeBody().end();
    Exchange exchange = new Exchange(head, Protocol.HTTP_1_1, "127.0.0.1", 8000, loop, "req-test", requestBody);
    exchange.hasBody(body != null);
    return exchange;
  }

  /** A scripted response from the app; remembers whether it was aborted. */
  public static final class Response implements UpstreamResponse {
    public final AtomicBoolean aborted = new AtomicBoolean();
    private final HttpResponse head;
    private final FakeBody body = new FakeBody().end();

    public Response(int status, String... headers) {
      head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      for (int i = 0; i < headers.length; i += 2) {
        head.headers().add(headers[i], headers[i + 1]);
      }
    }

    @Override
    public HttpResponse head() {
      return head;
    }

    @Override
    public Body body() {
      return body;
    }

    @Override
    public void abort() {
      aborted.set(true);
    }

    public Future<UpstreamResponse> future() {
      return Future.succeededFuture(this);
    }
  }
}
