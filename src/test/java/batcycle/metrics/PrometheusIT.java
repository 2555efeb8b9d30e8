package batcycle.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes batcycle under traffic, and the queries a dashboard would run
 * return the expected series. In CI the binaries must be there ({@code .ci/run} installs them); elsewhere the test
 * is skipped with a message if they are missing.
 */
class PrometheusIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;
  private static RecordingOrigin origin;
  private static ProxyHarness proxy;
  private static Process prometheus;
  private static int prometheusPort;

  @BeforeAll
  static void start() throws Exception {
    boolean installed = Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install Debian's prometheus package (see .ci/run)");
    }
    Assumptions.assumeTrue(installed, "Debian's prometheus package is not installed (apt-get install prometheus)");
    RecordingOrigin[] self = new RecordingOrigin[1];
    origin = RecordingOrigin.start((request, body) -> {
      // 1 in 5 requests fails, and latency spreads over a few milliseconds, so rates and quantiles have shape.
      int n = self[0].received().size();
      self[0].vertx().setTimer(1 + n % 7, t -> request.response().setStatusCode(n % 5 == 0 ? 500 : 200).end("ok"));
    });
    self[0] = origin;
    proxy = ProxyHarness.forUpstream(origin.port()).start();
    prometheusPort = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: batcycle
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(proxy.adminPort()));
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
        "--enable-feature=exemplar-storage")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void answersRateAndQuantileQueriesFromScrapedMetrics() {
    // Bounded traffic: at most 3,000 requests or 60 s, until Prometheus has two scrapes with traffic between.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int sent = 0;
    boolean answered = false;
    while (!answered && sent < 3000 && System.nanoTime() < deadline) {
      proxy.get("/api/orders");
      sent++;
      if (sent % 50 == 0) {
        answered = !query("sum(rate(batcycle_requests_seconds_count[10s]))").isEmpty()
            && positive(query("sum(rate(batcycle_requests_seconds_count[10s]))"));
      }
    }
    assertThat(answered).as("Prometheus saw a request rate after " + sent + " requests").isTrue();

    JsonArray byOutcome = query("sum by (outcome) (rate(batcycle_requests_seconds_count[10s]))");
    assertThat(byOutcome.stream().map(r -> ((JsonObject) r).getJsonObject("metric").getString("outcome")))
        .contains("success", "server_error");
    JsonArray p99 = query(
        "histogram_quantile(0.99, sum by (le) (rate(batcycle_requests_seconds_bucket[10s])))");
    assertThat(p99).hasSize(1);
    double seconds = Double.parseDouble(p99.getJsonObject(0).getJsonArray("value").getString(1));
    assertThat(seconds).isGreaterThan(0.0).isLessThan(30.0);
    assertThat(query("up{job=\"batcycle\"} == 1")).hasSize(1);
    assertThat(query("batcycle_build_info")).hasSize(1);
  }

  @Test
  void passesPromtoolCheckMetrics() throws Exception {
    proxy.get("/warm-up");
    String exposition = proxy.admin("/metrics").body();
    Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    check.getOutputStream().close();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).as("promtool findings").isEmpty();
    assertThat(check.exitValue()).isZero();
  }

  private static JsonArray query(String promql) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + prometheusPort + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return new JsonArray();
      }
      return new JsonObject(response.body()).getJsonObject("data").getJsonArray("result");
    } catch (IOException e) {
      return new JsonArray(); // Prometheus still starting
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean positive(JsonArray result) {
    return !result.isEmpty()
        && Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1)) > 0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
