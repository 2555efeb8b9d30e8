package batcycle.hardening;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open-loop load at a fixed rate for a fixed time, from a Vert.x client: a mix of small GETs, GETs of a 16 KiB
 * response and POSTs of a 16 KiB body echoed back by length. A tick that finds the in-flight cap reached is
 * skipped and counted, never queued. Every answer is checked (status and body size); anything else is a failure.
 */
final class RateLoad implements AutoCloseable {
  static final int BODY_BYTES = 16 * 1024;
  private static final Buffer BODY = Buffer.buffer(new byte[BODY_BYTES]);
  private static final long TICK_MS = 10;

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;
  private final int perSecond;
  private final int maxInFlight;
  private final long startNanos = System.nanoTime();
  private final long durationNanos;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile String firstFailure;
  private volatile boolean stopped;
  private final long timer;

  RateLoad(Vertx vertx, int port, int perSecond, int maxInFlight, long durationMillis) {
    this.vertx = vertx;
    this.port = port;
    this.perSecond = perSecond;
    this.maxInFlight = maxInFlight;
    this.durationNanos = durationMillis * 1_000_000;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(maxInFlight));
    this.timer = vertx.setPeriodic(TICK_MS, id -> tick());
  }

  private void tick() {
    long elapsed = System.nanoTime() - startNanos;
    if (stopped || elapsed >= durationNanos) {
      stopped = true;
      vertx.cancelTimer(timer);
      return;
    }
    long due = elapsed * perSecond / 1_000_000_000L - issued.get() - skipped.get();
    for (long i = 0; i < due; i++) {
      if (inFlight.get() >= maxInFlight) {
        skipped.incrementAndGet();
        continue;
      }
      send(issued.getAndIncrement());
    }
  }

  private void send(long n) {
    inFlight.incrementAndGet();
    int kind = (int) (n % 4); // half small GETs, a quarter 16 KiB downloads, a quarter 16 KiB uploads
    boolean post = kind == 3;
    String path = switch (kind) {
      case 2 -> "/large";
      case 3 -> "/echo";
      default -> "/small";
    };
    int expected = switch (kind) {
      case 2 -> BODY_BYTES;
      case 3 -> Integer.toString(BODY_BYTES).length();
      default -> 2;
    };
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(path)
        .setMethod(post ? HttpMethod.POST : HttpMethod.GET).setIdleTimeout(30_000);
    client.request(options)
        .compose(request -> post ? request.send(BODY) : request.send())
        .compose(response -> response.body().map(body -> response.statusCode() == 200 && body.length() == expected
            ? null : "status " + response.statusCode() + ", " + body.length() + " bytes on " + path))
        .onComplete(result -> {
          inFlight.decrementAndGet();
          String failure = result.failed() ? result.cause().toString() : result.result();
          if (failure == null) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
            if (firstFailure == null) {
              firstFailure = failure;
            }
          }
        });
  }

  /** True once the time is up and every request sent has its answer. */
  boolean finished() {
    return stopped && inFlight.get() == 0;
  }

  long issued() {
    return issued.get();
  }

  long skipped() {
    return skipped.get();
  }

  long ok() {
    return ok.get();
  }

  long failed() {
    return failed.get();
  }

  String firstFailure() {
    return firstFailure;
  }

  @Override
  public void close() {
    stopped = true;
    vertx.cancelTimer(timer);
    client.close();
  }
}
