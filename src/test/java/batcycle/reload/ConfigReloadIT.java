package batcycle.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading the configuration while running: a valid change is seen by the next request and by {@code /config}, an
 * invalid file is kept out whole, a restart-only change is reported and not applied, a request under way finishes
 * with the settings it started with, and a change of the file is a reload by itself.
 */
class ConfigReloadIT {
  private static final LinkedBlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();
  private static RecordingOrigin app;
  @TempDir
  Path dir;

  @BeforeAll
  static void startApp() {
    app = RecordingOrigin.start((request, body) -> {
      if (request.path().equals("/held")) {
        held.add(request); // answered by the test, once it has reloaded
      } else {
        request.response().end("ok");
      }
    });
  }

  @AfterAll
  static void stopApp() {
    app.close();
  }

  private Path file(String yaml) throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Started with the file watch off: these tests reload explicitly, as SIGHUP does. */
  private ProxyHarness proxy(Path file) {
    return ProxyHarness.forUpstream(app.port()).configFile(file).with(Key.RELOAD_WATCH_CONFIG, "false").start();
  }

  private static JsonObject config(ProxyHarness proxy) {
    return new JsonObject(proxy.admin("/config").body());
  }

  @Test
  void aValidChangeIsSeenByTheNextRequestAndByConfig() throws Exception {
    Path file = file("headers:\n  via: false\n");
    try (ProxyHarness proxy = proxy(file)) {
      assertThat(proxy.get("/before").headers().firstValue("via")).isEmpty();
      String hashBefore = config(proxy).getString("hash");

      Files.writeString(file, "headers:\n  via: true\nretry:\n  maxAttempts: 1\n");
      ConfigReloader.Status status = proxy.batcycle().reload("test");

      assertThat(status.result()).isEqualTo(ConfigReloader.Result.APPLIED);
      assertThat(status.detail()).contains("headers.via (false -> true)").contains("retry.maxAttempts (3 -> 1)");
      assertThat(proxy.get("/after").headers().firstValue("via")).hasValue("1.1 batcycle");
      JsonObject config = config(proxy);
      assertThat(config.getJsonObject("keys").getJsonObject("headers.via").getString("value")).isEqualTo("true");
      assertThat(config.getJsonObject("keys").getJsonObject("headers.via").getString("source")).startsWith("file ");
      assertThat(config.getString("hash")).isNotEqualTo(hashBefore).hasSize(12);
      assertThat(config.getJsonObject("lastReload").getString("result")).isEqualTo("applied");
      assertThat(proxy.metric("batcycle_config_reloads_total", "result", "applied")).isEqualTo(1);
      assertThat(proxy.metric("batcycle_config_hash")).isEqualTo(Long.parseLong(config.getString("hash"), 16));
      assertThat(proxy.metric("batcycle_config_last_reload_successful")).isEqualTo(1);
      JsonObject page = new JsonObject(proxy.admin("/stats.json").body()).getJsonObject("config");
      assertThat(page.getString("hash")).isEqualTo(config.getString("hash"));
      assertThat(page.getJsonObject("lastReload").getString("result")).isEqualTo("applied");
    }
  }

  @Test
  void aFileWithAnyProblemIsRefusedWholeAndTheRunningSettingsStay() throws Exception {
    Path file = file("headers:\n  via: false\n");
    try (ProxyHarness proxy = proxy(file)) {
      String hash = config(proxy).getString("hash");
      double lastSuccess = proxy.metric("batcycle_config_last_reload_success_timestamp_seconds");
      Files.writeString(file, "headers:\n  via: true\ntimeouts:\n  connect: 5x\n");

      ConfigReloader.Status status = proxy.batcycle().reload("test");

      assertThat(status.result()).isEqualTo(ConfigReloader.Result.REJECTED);
      // The words of `batcycle check`: the key, the value, its source, what was expected.
      assertThat(status.detail()).contains("timeouts.connect: '5x' from file ").contains("expected a duration");
      assertThat(proxy.get("/after-bad").headers().firstValue("via")).as("nothing of the file applied").isEmpty();
      JsonObject config = config(proxy);
      assertThat(config.getString("hash")).isEqualTo(hash);
      assertThat(config.getJsonObject("lastReload").getString("result")).isEqualTo("rejected");
      assertThat(config.getJsonObject("lastReload").getString("detail")).contains("timeouts.connect");
      assertThat(proxy.metric("batcycle_config_reloads_total", "result", "rejected")).isEqualTo(1);
      assertThat(proxy.metric("batcycle_config_last_reload_successful")).isZero();
      assertThat(proxy.metric("batcycle_config_last_reload_success_timestamp_seconds")).isEqualTo(lastSuccess);

      Files.writeString(file, "headers:\n  via: true\n");
      assertThat(proxy.batcycle().reload("test").result()).isEqualTo(ConfigReloader.Result.APPLIED);
      assertThat(proxy.metric("batcycle_config_last_reload_successful")).isEqualTo(1);
    }
  }

  @Test
  void aRestartOnlyChangeIsReportedAndNotApplied() throws Exception {
    Path file = file("pool:\n  maxConnections: 64\n");
    try (ProxyHarness proxy = proxy(file)) {
      Files.writeString(file, "pool:\n  maxConnections: 8\nheaders:\n  via: true\n");

      ConfigReloader.Status status = proxy.batcycle().reload("test");

      assertThat(status.result()).isEqualTo(ConfigReloader.Result.APPLIED);
      assertThat(status.pendingRestart()).containsExactly("pool.maxConnections");
      assertThat(proxy.get("/now").headers().firstValue("via")).isPresent();
      JsonObject config = config(proxy);
      assertThat(config.getJsonObject("keys").getJsonObject("pool.maxConnections").getString("value"))
          .isEqualTo("64");
      assertThat(config.getJsonObject("lastReload").getJsonArray("pendingRestart").getList())
          .containsExactly("pool.maxConnections");
      assertThat(proxy.metric("batcycle_config_restart_pending")).isEqualTo(1);
      assertThat(proxy.batcycle().config().upstream().maxConnections()).isEqualTo(64);
    }
  }

  @Test
  void aRequestUnderWayFinishesWithTheSettingsItStartedWith() throws Exception {
    held.clear();
    Path file = file("headers:\n  via: false\n");
    try (ProxyHarness proxy = proxy(file)) {
      CompletableFuture<HttpResponse<String>> underWay = proxy.client().sendAsync(
          HttpRequest.newBuilder(proxy.uri("/held")).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpServerRequest atTheApp = held.poll(10, TimeUnit.SECONDS);
      assertThat(atTheApp).isNotNull();

      Files.writeString(file, "headers:\n  via: true\n");
      assertThat(proxy.batcycle().reload("test").result()).isEqualTo(ConfigReloader.Result.APPLIED);
      atTheApp.response().end("late");

      HttpResponse<String> response = underWay.get(20, TimeUnit.SECONDS);
      assertThat(response.body()).isEqualTo("late");
      assertThat(response.headers().firstValue("via")).as("started without Via").isEmpty();
      assertThat(proxy.get("/next").headers().firstValue("via")).isPresent();
    }
  }

  @Test
  void aChangedFileIsReloadedWithoutASignal() throws Exception {
    Path file = file("headers:\n  via: false\n");
    try (ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).configFile(file).start()) {
      Files.writeString(file, "headers:\n  via: true\n");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(proxy.get("/watched").headers().firstValue("via")).isPresent());
      // The swap is visible to requests a moment before the reloader records its status.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(proxy.batcycle().reloadStatus().trigger()).isEqualTo("config file change"));
    }
  }
}
