package batcycle.config;

import java.time.Duration;

/**
 * The {@code outlier:} settings of one outbound entry: passive health checking in the manner of Envoy's outlier
 * detection, from the outcomes of real attempts only.
 *
 * @param consecutiveFailures failed attempts in a row that eject an address; 0 turns ejection off
 * @param ejectionTime        the first ejection's length; the n-th in a row lasts n times as long, at most ten
 * @param maxEjectedPercent   the share of addresses that may be ejected at once
 */
@Section("outbound.outlier")
public record OutlierConfig(int consecutiveFailures, Duration ejectionTime, int maxEjectedPercent) {
  public OutlierConfig {
    Violations.of(OutlierConfig.class, consecutiveFailures, ejectionTime, maxEjectedPercent).throwIfAny();
  }

  public boolean enabled() {
    return consecutiveFailures > 0;
  }
}
