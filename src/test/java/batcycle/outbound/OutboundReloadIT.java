package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.reload.ConfigReloader;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload and the outbound entries: the settings an entry sets itself, and the inbound ones it inherits, apply to
 * the next call as they do inbound; the entries themselves (which, where, to what) wait for a restart.
 */
class OutboundReloadIT {
  /** Every other request to the remote fails with 503, starting with the first. */
  private final AtomicInteger calls = new AtomicInteger();
  private final RecordingOrigin remote = RecordingOrigin.start((request, body) -> request.response()
      .setStatusCode(calls.getAndIncrement() % 2 == 0 ? 503 : 200).end());
  @TempDir
  Path dir;

  @AfterEach
  void close() {
    remote.close();
  }

  private String yaml(String retry, String listen) {
    return """
        timeouts: {response: %3$s}
        outbound:
          - name: payments
            listen: %1$s
            upstream: http://127.0.0.1:%2$d
            retry: {maxAttempts: %4$s, backoffBase: 1ms}
          - name: logs
            listen: 127.0.0.1:0
            upstream: http://127.0.0.1:%2$d
        """.formatted(listen, remote.port(), retry.equals("1") ? "10s" : "20s", retry);
  }

  @Test
  void anEntrysOwnSettingsApplyToTheNextCallAndItsAddressWaitsForARestart() throws Exception {
    Path file = Files.writeString(dir.resolve("batcycle.yaml"), yaml("1", "127.0.0.1:0"));
    try (ProxyHarness proxy = ProxyHarness.forUpstream(1).configFile(file)
        .with(Key.RELOAD_WATCH_CONFIG, "false").start()) {
      assertThat(proxy.outbound("payments", "/a").statusCode()).as("no retry").isEqualTo(503);
      calls.set(0);

      Files.writeString(file, yaml("3", "127.0.0.1:0"));
      ConfigReloader.Status applied = proxy.batcycle().reload("test");

      assertThat(applied.result()).isEqualTo(ConfigReloader.Result.APPLIED);
      assertThat(applied.detail()).contains("retry.maxAttempts");
      assertThat(proxy.outbound("payments", "/b").statusCode()).as("retried now").isEqualTo(200);
      assertThat(proxy.batcycle().config().outbound().get(0).settings().retry().maxAttempts()).isEqualTo(3);
      assertThat(proxy.batcycle().config().outbound().get(1).settings().timeouts().response())
          .as("an inbound value the entry inherits").hasSeconds(20);

      Files.writeString(file, yaml("3", "127.0.0.1:2"));
      ConfigReloader.Status moved = proxy.batcycle().reload("test");

      assertThat(moved.pendingRestart()).as(moved.toString()).contains("outbound");
      assertThat(proxy.batcycle().config().outbound().get(0).listen().port()).as("still where it was").isZero();
    }
  }
}
