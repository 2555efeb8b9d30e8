package batcycle.config;

import java.time.Duration;

/**
 * The {@code startup:} section: requests held until the app first accepts a connection, and the warm-up of the
 * request path before batcycle reports ready.
 */
@Section("startup")
public record StartupConfig(Duration holdTimeout, int maxHeld, Duration warmup, int warmupMinRequests) {
  public StartupConfig {
    Violations.of(StartupConfig.class, holdTimeout, maxHeld, warmup, warmupMinRequests).throwIfAny();
  }
}
