package batcycle.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code pool:} section: keep-alive connections to the app.
 *
 * @param maxConnections the cap on connections, or empty to follow {@code limits.maxConcurrent}
 */
@Section("pool")
public record PoolConfig(Optional<Integer> maxConnections, Duration idleTimeout) {
  public PoolConfig {
    Violations.of(PoolConfig.class, maxConnections, idleTimeout).throwIfAny();
  }
}
