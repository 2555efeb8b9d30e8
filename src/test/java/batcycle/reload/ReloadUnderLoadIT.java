package batcycle.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads under load: clients send requests on keep-alive connections without pause while the configuration is
 * reloaded again and again, each time changing limits, retries and budget, the breaker, the rate limit, timeouts,
 * the header policy, route labels and the request log; every request must succeed. Bounded in requests and time.
 * RELIABILITY.md records the figures this prints.
 */
class ReloadUnderLoadIT {
  private static final int CLIENTS = 4;
  private static final int RELOADS = 12;
  private static final int REQUESTS_BETWEEN_RELOADS = 150;
  private static final int MAX_REQUESTS_PER_CLIENT = 5_000;
  private static final Duration MAX_TIME = Duration.ofSeconds(90);
  @TempDir
  Path dir;

  /** Settings that differ between even and odd reloads, touching every concern a reload swaps. */
  private static String settings(int round) {
    boolean odd = round % 2 == 1;
    return String.join("\n",
        "limits:",
        "  maxConcurrent: " + (odd ? 64 : 512),
        "  queueSize: " + (odd ? 200 : 64),
        "  maxHeaderSize: " + (odd ? "32KiB" : "64KiB"),
        "  adaptive: " + (round % 4 == 3),
        "retry:",
        "  maxAttempts: " + (odd ? 2 : 3),
        "  budgetRatio: " + (odd ? 0.1 : 0.2),
        "  budgetWindow: " + (odd ? "5s" : "10s"),
        "breaker:",
        "  minimumCalls: " + (odd ? 50 : 100),
        "  failureRate: " + (odd ? 60 : 50),
        "rateLimit:",
        "  limit: " + (odd ? 1_000_000 : 0),
        "timeouts:",
        "  response: " + (odd ? "30s" : "60s"),
        "  clientIdle: " + (odd ? "30s" : "60s"),
        "headers:",
        "  via: " + odd,
        "metrics:",
        "  routes: " + (odd ? "[/load/*]" : "[]"),
        "accessLog:",
        "  sampleSuccess: " + (odd ? 0.5 : 1.0),
        "") ;
  }

  @Test
  void everyRequestSucceedsAcrossReloads() throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, settings(0));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try (RecordingOrigin app = RecordingOrigin.start();
         ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).configFile(file)
             .with(Key.RELOAD_WATCH_CONFIG, "false").start()) {
      long started = System.nanoTime();
      long deadline = started + MAX_TIME.toNanos();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread thread = new Thread(() -> {
          HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5)).build();
          for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && !stop.get() && System.nanoTime() < deadline; i++) {
            try {
              HttpResponse<String> response = http.send(HttpRequest.newBuilder(proxy.uri("/load/" + client + "/" + i))
                  .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() != 200 || !response.body().equals("ok")) {
                failures.add(response.statusCode() + " " + response.headers().firstValue("x-batcycle-error"));
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
            done.incrementAndGet();
          }
        }, "reload-load-" + c);
        thread.start();
        clients.add(thread);
      }
      int applied = 0;
      for (int round = 1; round <= RELOADS; round++) {
        long target = done.get() + REQUESTS_BETWEEN_RELOADS;
        await().atMost(MAX_TIME).until(() -> done.get() >= target || System.nanoTime() >= deadline);
        Files.writeString(file, settings(round));
        if (proxy.batcycle().reload("test round " + round).result() == ConfigReloader.Result.APPLIED) {
          applied++;
        }
      }
      long target = done.get() + REQUESTS_BETWEEN_RELOADS;
      await().atMost(MAX_TIME).until(() -> done.get() >= target || System.nanoTime() >= deadline);
      stop.set(true);
      for (Thread thread : clients) {
        thread.join(MAX_TIME.toMillis());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("reload under load: %d requests from %d clients across %d applied reloads in %.1f s, "
          + "%d failed%n", done.get(), CLIENTS, applied, seconds, failures.size());

      assertThat(failures).as("every request succeeds across reloads").isEmpty();
      assertThat(applied).isEqualTo(RELOADS);
      assertThat(done.get()).isGreaterThanOrEqualTo((long) REQUESTS_BETWEEN_RELOADS * (RELOADS + 1));
      assertThat(proxy.metric("batcycle_config_reloads_total", "result", "applied")).isEqualTo(RELOADS);
    }
  }
}
