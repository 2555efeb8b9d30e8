package batcycle.config;

import java.time.Duration;

/** The {@code pool:} section: keep-alive connections to the app. */
@Section("pool")
public record PoolConfig(int maxConnections, Duration idleTimeout) {
  public PoolConfig {
    Violations.of(PoolConfig.class, maxConnections, idleTimeout).throwIfAny();
  }
}
