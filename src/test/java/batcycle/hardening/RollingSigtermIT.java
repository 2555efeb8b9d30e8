package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.testing.ChildBatcycle;
import batcycle.testing.RecordingOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rolling deploy with real signals: two batcycle processes serve a steady load behind a client-side "Service"
 * that routes only to pods whose {@code /readyz} says 200 (polled every {@value #ENDPOINT_POLL_MS} ms, standing in
 * for the endpoints controller); a third process starts and joins, then the first two get SIGTERM one after the
 * other. Every request sent must get its full answer, and each old process must drain and exit 0.
 *
 * <p>Complements {@code lifecycle/DrainIT#losesNoRequestUnderSteadyLoad} (the drain under load, in process) and
 * {@code lifecycle/SigtermIT} (the signal path with one request in flight): here both at once, across processes.
 */
class RollingSigtermIT {
  private static final Logger LOG = LoggerFactory.getLogger(RollingSigtermIT.class);
  private static final long ENDPOINT_POLL_MS = 100;
  private static final int CLIENTS = 4;
  private static final int MAX_PER_CLIENT = 5_000;
  private static final Duration BOUND = Duration.ofSeconds(90);

  private RecordingOrigin origin;
  private final List<ChildBatcycle> pods = new ArrayList<>();
  private final List<ChildBatcycle> routed = new CopyOnWriteArrayList<>();
  private final List<ChildBatcycle> joining = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService endpoints = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);

  @AfterEach
  void closeAll() throws InterruptedException {
    clients.shutdownNow();
    endpoints.shutdownNow();
    clients.awaitTermination(20, TimeUnit.SECONDS);
    pods.forEach(ChildBatcycle::close);
    if (origin != null) {
      origin.close();
    }
  }

  private ChildBatcycle startPod() throws IOException {
    ChildBatcycle pod = ChildBatcycle.start(List.of("-Xmx96m"), origin.port(), line -> line.contains("drain"),
        "--event-loops", "1", "--access-log-enabled", "false", "--drain-delay", "1s", "--drain-timeout", "10s");
    pods.add(pod);
    return pod;
  }

  /** The endpoints controller: routes to ready pods only, drops a pod once its /readyz is not 200. */
  private void updateEndpoints() {
    for (ChildBatcycle pod : routed) {
      if (!ready(pod)) {
        routed.remove(pod);
      }
    }
    for (ChildBatcycle pod : joining) {
      if (ready(pod)) {
        joining.remove(pod);
        routed.add(pod);
      }
    }
  }

  private boolean ready(ChildBatcycle pod) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.adminPort() + "/readyz"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void replacingBothPodsWithSigtermUnderSteadyLoadLosesNoRequest() throws Exception {
    RecordingOrigin[] self = new RecordingOrigin[1];
    origin = RecordingOrigin.start((request, body) ->
        self[0].vertx().setTimer(5, t -> request.response().end("ok " + request.path())));
    self[0] = origin;
    ChildBatcycle a = startPod();
    ChildBatcycle b = startPod();
    joining.addAll(List.of(a, b));
    endpoints.scheduleWithFixedDelay(this::updateEndpoints, 0, ENDPOINT_POLL_MS, TimeUnit.MILLISECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> routed.size() == 2);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    List<String> lost = new CopyOnWriteArrayList<>();
    Map<Integer, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + BOUND.toNanos();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.submit(() -> {
        for (int i = 0; i < MAX_PER_CLIENT && !stop.get() && System.nanoTime() < deadline; i++) {
          List<ChildBatcycle> now = List.copyOf(routed);
          if (now.isEmpty()) {
            lost.add("no pod routed");
            continue;
          }
          ChildBatcycle pod = now.get(i % now.size());
          String path = "/c" + client + "/r" + i;
          try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pod.port() + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && response.body().equals("ok " + path)) {
              ok.incrementAndGet();
              servedBy.computeIfAbsent(pod.port(), p -> new AtomicInteger()).incrementAndGet();
            } else {
              lost.add(path + " via " + pod.port() + ": " + response.statusCode() + " " + response.body());
            }
          } catch (IOException e) {
            lost.add(path + " via " + pod.port() + ": " + e);
          }
        }
        return null;
      });
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 200);

    ChildBatcycle c = startPod();
    joining.add(c);
    await().atMost(Duration.ofSeconds(30)).until(() -> routed.contains(c));
    for (ChildBatcycle old : List.of(a, b)) {
      long before = ok.get();
      old.sigterm();
      assertThat(old.awaitExit(30)).as("exit code; output:\n%s", old.tail()).isZero();
      assertThat(old.watchedLines()).as("drain log lines").anyMatch(line -> line.contains("drained"));
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= before + 200);
    }
    stop.set(true);
    clients.shutdown();
    assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    LOG.info("rolling SIGTERM: {} requests answered in full, {} lost; served per pod {}", ok.get(), lost.size(),
        servedBy);
    assertThat(lost).as("requests that failed").isEmpty();
    assertThat(servedBy).as("requests per pod (A, B and their replacement all served)")
        .containsKeys(a.port(), b.port(), c.port());
  }
}
