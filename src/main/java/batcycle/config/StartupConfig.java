package batcycle.config;

import java.time.Duration;

/** The {@code startup:} section: requests held until the app first accepts a connection. */
@Section("startup")
public record StartupConfig(Duration holdTimeout, int maxHeld) {
  public StartupConfig {
    Violations.of(StartupConfig.class, holdTimeout, maxHeld).throwIfAny();
  }
}
