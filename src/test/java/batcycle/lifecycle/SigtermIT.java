package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.testing.RecordingOrigin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The real signal path: batcycle in a child JVM receives SIGTERM while serving. */
class SigtermIT {
  private static final Pattern PORTS = Pattern.compile("proxying 127\\.0\\.0\\.1:(\\d+) .*admin on 127\\.0\\.0\\.1:(\\d+)");

  private record Child(Process process, int port, int adminPort, List<String> output, Thread pump) {
    /** Waits for the exit and for the last output lines. */
    int awaitExit() throws InterruptedException {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited; output so far: " + output).isTrue();
      pump.join(10_000);
      return process.exitValue();
    }

    /** SIGTERM, keeping our end of its output open (Process.destroy() would also close the pipes). */
    void sigterm() {
      assertThat(process.toHandle().destroy()).as("SIGTERM sent; output: %s", output).isTrue();
    }

    String log() {
      return String.join("\n", output);
    }
  }

  private static Child start(int upstreamPort, String... extra) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), "batcycle.Main",
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--event-loops", "1",
        "--upstream", "http://127.0.0.1:" + upstreamPort, "--access-log-enabled", "false", "--startup-warmup", "0"));
    command.addAll(List.of(extra));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          output.add(line);
          Matcher m = PORTS.matcher(line);
          if (m.find()) {
            ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
          }
        }
      } catch (java.io.IOException e) {
        ports.completeExceptionally(e);
      }
      ports.completeExceptionally(new AssertionError("batcycle exited: " + output));
    }, "child-output");
    pump.setDaemon(true);
    pump.start();
    int[] p = ports.get(60, TimeUnit.SECONDS);
    return new Child(process, p[0], p[1], output, pump);
  }

  @Test
  void drainsOnSigtermFinishesInFlightWorkAndExitsZero() throws Exception {
    RecordingOrigin[] self = new RecordingOrigin[1];
    try (RecordingOrigin origin = RecordingOrigin.start((request, body) ->
        self[0].vertx().setTimer(1500, t -> request.response().end("slow done")))) {
      self[0] = origin;
      Child child = start(origin.port(), "--drain-delay", "300ms", "--drain-timeout", "10s");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + child.port() + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(10)).until(() -> origin.arrivals() == 1);

      child.sigterm();
      HttpResponse<String> response = slow.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow done");
      assertThat(child.awaitExit()).isZero();
      assertThat(child.log()).contains("draining (SIGTERM)", "drained");
    }
  }

  @Test
  void drainsAndExitsOnPostDrainFromLoopback() throws Exception {
    try (RecordingOrigin origin = RecordingOrigin.start()) {
      Child child = start(origin.port(), "--drain-delay", "0", "--drain-timeout", "5s");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + child.adminPort() + "/drain"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(202);
      assertThat(child.awaitExit()).isZero();
      assertThat(child.log()).contains("draining (admin /drain)");
    }
  }

  @Test
  void exitsAtOnceOnASecondSigterm() throws Exception {
    RecordingOrigin[] self = new RecordingOrigin[1];
    try (RecordingOrigin origin = RecordingOrigin.start((request, body) ->
        self[0].vertx().setTimer(20_000, t -> request.response().end("too late")))) {
      self[0] = origin;
      Child child = start(origin.port(), "--drain-delay", "0", "--drain-timeout", "60s");
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().sendAsync(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + child.port() + "/stuck")).build(), HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(10)).until(() -> origin.arrivals() == 1);
      child.sigterm();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(child.log()).contains("draining"));
      child.sigterm();
      // Well before the 60 s drain timeout and the 20 s stuck request.
      assertThat(child.awaitExit()).isEqualTo(1);
    }
  }

  @Test
  void writesOperationalLogsAsJsonLinesWhenAsked() throws Exception {
    try (RecordingOrigin origin = RecordingOrigin.start()) {
      Child child = start(origin.port(), "--log-format", "json", "--drain-delay", "0");
      child.sigterm();
      assertThat(child.awaitExit()).isZero();
      assertThat(child.output()).isNotEmpty().allSatisfy(line -> {
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(line);
        assertThat(json.getString("level")).isIn("INFO", "WARN");
        assertThat(json.getString("loggerName")).startsWith("batcycle.");
      });
      assertThat(child.log()).contains("draining (SIGTERM)");
    }
  }
}
