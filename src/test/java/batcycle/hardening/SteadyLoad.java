package batcycle.hardening;

import batcycle.testing.RestartableOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop load of alternating GETs and POSTs (no Idempotency-Key) at a fixed rate, each with a unique id in
 * {@link RestartableOrigin#ID_HEADER} (and in the POST body), recording what the client got for every id.
 * Bounded in count, in time and in requests in flight; when the in-flight cap is reached a tick is skipped and
 * counted rather than queued, so a stall cannot build up an unbounded backlog.
 */
final class SteadyLoad implements AutoCloseable {
  /** What the client got: a status, or the exception text if there was no response. */
  record Result(String id, String method, int status, String body, String error) {}

  private final URI target;
  private final int maxRequests;
  private final long deadlineNanos;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final Semaphore inFlight;
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Map<String, Result> results = new ConcurrentHashMap<>();

  SteadyLoad(URI target, int perSecond, int maxRequests, int maxInFlight, Duration bound) {
    this.target = target;
    this.maxRequests = maxRequests;
    this.inFlight = new Semaphore(maxInFlight);
    this.deadlineNanos = System.nanoTime() + bound.toNanos();
    ticker.scheduleAtFixedRate(this::tick, 0, TimeUnit.SECONDS.toMicros(1) / perSecond, TimeUnit.MICROSECONDS);
  }

  private void tick() {
    if (stopped.get() || issued.get() >= maxRequests || System.nanoTime() > deadlineNanos) {
      stopped.set(true);
      return;
    }
    if (!inFlight.tryAcquire()) {
      skipped.incrementAndGet();
      return;
    }
    int n = issued.getAndIncrement();
    String id = "r" + n;
    boolean post = n % 2 == 1;
    HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(post ? "/orders" : "/items/" + id))
        .header(RestartableOrigin.ID_HEADER, id).timeout(Duration.ofSeconds(20));
    if (post) {
      request.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}"));
    }
    String method = post ? "POST" : "GET";
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      results.put(id, failure == null ? new Result(id, method, response.statusCode(), response.body(), null)
          : new Result(id, method, 0, null, failure.toString()));
      inFlight.release();
    });
  }

  /** Requests answered so far (by a response or an error). */
  int completed() {
    return results.size();
  }

  int issued() {
    return issued.get();
  }

  int skipped() {
    return skipped.get();
  }

  /** True once the load stopped issuing and every request it issued has an answer. */
  boolean finished() {
    return ticker.isTerminated() && results.size() == issued.get();
  }

  /** Stops issuing; returns once no tick is running, so {@link #issued()} is final. */
  void stop() throws InterruptedException {
    stopped.set(true);
    ticker.shutdown();
    if (!ticker.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("load ticker did not stop");
    }
  }

  List<Result> results() {
    return List.copyOf(results.values());
  }

  @Override
  public void close() {
    stopped.set(true);
    ticker.shutdownNow();
  }
}
