package batcycle.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.testing.ChildBatcycle;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP reloads a real process's configuration, and a bad file leaves one log line saying why. */
class ReloadSignalIT {
  @TempDir
  Path dir;

  private static JsonObject config(HttpClient http, ChildBatcycle child) throws Exception {
    return new JsonObject(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.adminPort()
        + "/config")).build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  private static void hangUp(ChildBatcycle child) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  @Test
  void sighupReloadsTheFileAndReportsARejectedOne() throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, "retry:\n  maxAttempts: 3\n");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (RecordingOrigin app = RecordingOrigin.start();
         ChildBatcycle child = ChildBatcycle.start(List.of("-Xmx64m"), app.port(),
             line -> line.contains("config reload"), "--config", file.toString(), "--reload-watch-config", "false",
             "--startup-hold-timeout", "0")) {
      Files.writeString(file, "retry:\n  maxAttempts: 2\n");
      hangUp(child);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(config(http, child)
          .getJsonObject("keys").getJsonObject("retry.maxAttempts").getString("value")).isEqualTo("2"));

      Files.writeString(file, "retry:\n  maxAttempts: eleven\n");
      hangUp(child);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(child.watchedLines())
          .anyMatch(line -> line.contains("rejected") && line.contains("retry.maxAttempts: 'eleven'")));
      JsonObject config = config(http, child);
      assertThat(config.getJsonObject("keys").getJsonObject("retry.maxAttempts").getString("value")).isEqualTo("2");
      assertThat(config.getJsonObject("lastReload").getString("result")).isEqualTo("rejected");
      assertThat(config.getJsonObject("lastReload").getString("trigger")).isEqualTo("SIGHUP");
      assertThat(child.isAlive()).isTrue();
    }
  }
}
