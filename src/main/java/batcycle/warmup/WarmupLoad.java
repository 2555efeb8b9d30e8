package batcycle.warmup;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a fixed number of synthetic requests in flight against the warm-up's proxy until stopped: HTTP/1.1 on
 * several keep-alive connections and HTTP/2 streams on two connections, mostly small GETs with some large
 * responses and some request bodies, with the headers real clients send, so the code real traffic takes is the
 * code that gets compiled.
 */
final class WarmupLoad {
  private static final int HTTP1_CONNECTIONS = 16;
  private static final int HTTP2_CONNECTIONS = 2;
  private static final int HTTP2_STREAMS = 16;
  private static final Buffer REQUEST_BODY = Buffer.buffer("warm-up ".repeat(256));

  private final int port;
  private final HttpClient http1;
  private final HttpClient http2;
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Promise<Void> drained = Promise.promise();
  private volatile boolean stopped;

  WarmupLoad(Vertx vertx, int port) {
    this.port = port;
    this.http1 = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(HTTP1_CONNECTIONS));
    this.http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(HTTP2_STREAMS / HTTP2_CONNECTIONS),
        new PoolOptions().setHttp2MaxSize(HTTP2_CONNECTIONS));
  }

  void start() {
    for (int i = 0; i < HTTP1_CONNECTIONS; i++) {
      inFlight.incrementAndGet();
      next(http1, i);
    }
    for (int i = 0; i < HTTP2_STREAMS; i++) {
      inFlight.incrementAndGet();
      next(http2, i);
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }

  /** Stops issuing requests; completes when the last one in flight has ended, with both clients closed. */
  Future<Void> stop() {
    stopped = true;
    if (inFlight.get() == 0) {
      drained.tryComplete();
    }
    return drained.future().eventually(() -> http1.close().eventually(http2::close));
  }

  private void next(HttpClient client, long sequence) {
    if (stopped) {
      if (inFlight.decrementAndGet() == 0) {
        drained.tryComplete();
      }
      return;
    }
    send(client, sequence).onComplete(result -> {
      if (result.succeeded() && result.result() == 200) {
        succeeded.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      next(client, sequence + HTTP1_CONNECTIONS + HTTP2_STREAMS);
    });
  }

  /** One request of the mix: 1 in 8 a 16 KiB response, 1 in 8 a 2 KiB body echoed, the rest small GETs. */
  private Future<Integer> send(HttpClient client, long sequence) {
    int kind = (int) (sequence % 8);
    boolean post = kind == 1;
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port)
        .setMethod(post ? HttpMethod.POST : HttpMethod.GET)
        .setURI(kind == 0 ? StubApp.LARGE : post ? StubApp.ECHO : StubApp.SMALL + "?n=" + sequence)
        .putHeader("user-agent", "batcycle-warmup")
        .putHeader("accept", "*/*");
    if (sequence % 3 == 0) {
      options.putHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }
    return client.request(options)
        .compose(request -> post ? request.send(REQUEST_BODY) : request.send())
        .compose(response -> response.body().map(body -> response.statusCode()));
  }
}
