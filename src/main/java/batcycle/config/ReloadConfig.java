package batcycle.config;

import java.time.Duration;

/**
 * The {@code reload:} section: whether a change of the config file is applied while running (SIGHUP always is), and
 * how often watched files (the config file, the TLS files) are also compared, besides their directories' events.
 */
@Section("reload")
public record ReloadConfig(boolean watchConfig, Duration pollInterval) {
  public ReloadConfig {
    Violations.of(ReloadConfig.class, watchConfig, pollInterval).throwIfAny();
  }
}
