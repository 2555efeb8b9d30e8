package batcycle.config;

import java.time.Duration;

/**
 * The {@code readiness:} section: what {@code /readyz} asks of the app.
 *
 * @param path     empty for a TCP check of the app, else the path of an HTTP GET
 * @param checkApp whether the app must answer at all (false: only batcycle's own state counts)
 */
@Section("readiness")
public record ReadinessConfig(String path, Duration timeout, boolean checkApp) {
  public ReadinessConfig {
    Violations.of(ReadinessConfig.class, path, timeout, checkApp).throwIfAny();
  }
}
