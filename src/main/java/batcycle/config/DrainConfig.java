package batcycle.config;

import java.time.Duration;

/** The {@code drain:} section: what SIGTERM does, in time. */
@Section("drain")
public record DrainConfig(Duration delay, Duration timeout) {
  public DrainConfig {
    Violations.of(DrainConfig.class, delay, timeout).throwIfAny();
  }
}
