package batcycle.reload;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigLoader;
import batcycle.config.Invocation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload's bookkeeping, without a proxy: what is swapped, counted and reported. */
class ConfigReloaderTest {
  @TempDir
  Path dir;

  private ConfigReloader reloader(Path file, List<BatcycleConfig> swapped, SimpleMeterRegistry registry) {
    BatcycleConfig start = ((Invocation.Run) ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of()))
        .config();
    return new ConfigReloader(start, registry, next -> {
      swapped.add(next);
      return Future.succeededFuture();
    });
  }

  @Test
  void theFileWatchDoesNotReportAgainAChangeASignalAlreadyApplied() throws Exception {
    Path file = dir.resolve("batcycle.yaml");
    Files.writeString(file, "retry:\n  maxAttempts: 3\n");
    List<BatcycleConfig> swapped = new ArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConfigReloader reloader = reloader(file, swapped, registry);
    assertThat(reloader.reloadIfFileChanged("file").trigger()).as("nothing changed since the start").isEqualTo("start");

    Files.writeString(file, "retry:\n  maxAttempts: 2\n");
    assertThat(reloader.reload("SIGHUP").result()).isEqualTo(ConfigReloader.Result.APPLIED);
    assertThat(reloader.reloadIfFileChanged("file").trigger()).isEqualTo("SIGHUP");
    assertThat(swapped).singleElement().extracting(c -> c.retry().maxAttempts()).isEqualTo(2);
    assertThat(registry.counter("batcycle.config.reloads", "result", "applied").count()).isEqualTo(1);
    assertThat(registry.counter("batcycle.config.reloads", "result", "unchanged").count()).isZero();

    Files.writeString(file, "retry:\n  maxAttempts: 2\n# a comment\n");
    ConfigReloader.Status status = reloader.reloadIfFileChanged("file");
    assertThat(status.result()).as("a new text with the same settings").isEqualTo(ConfigReloader.Result.UNCHANGED);
    assertThat(swapped).hasSize(1);
  }

  @Test
  void aSignalWithoutAConfigFileChangesNothingAndSaysSo() {
    ConfigReloader reloader = new ConfigReloader(BatcycleConfig.defaults(), new SimpleMeterRegistry(),
        next -> Future.failedFuture("never swapped"));
    ConfigReloader.Status status = reloader.reload("SIGHUP");
    assertThat(status.result()).isEqualTo(ConfigReloader.Result.UNCHANGED);
    assertThat(status.detail()).isEqualTo("no config file");
  }
}
