package batcycle.admin;

import batcycle.config.BatcycleConfig;
import java.util.List;

/**
 * The configuration in force and what became of the last reload, as {@code /config} and the status page show them.
 *
 * @param hash           the configuration's hash, 12 hex digits (the {@code batcycle_config_hash} gauge's value)
 * @param lastResult     {@code applied}, {@code unchanged} or {@code rejected}
 * @param lastAtMillis   when the last reload (or the start) happened
 * @param lastTrigger    {@code start}, {@code SIGHUP}, {@code file change}
 * @param lastDetail     what it applied, or why it was rejected
 * @param pendingRestart keys changed in the file that wait for a restart
 */
public record ConfigState(BatcycleConfig config, String hash, String lastResult, long lastAtMillis,
                          String lastTrigger, String lastDetail, List<String> pendingRestart) {
  public ConfigState {
    pendingRestart = List.copyOf(pendingRestart);
  }

  /** A configuration that no reload can change (tests, and callers without a reloader). */
  public static ConfigState fixed(BatcycleConfig config) {
    return new ConfigState(config, batcycle.config.ConfigChange.hashText(batcycle.config.ConfigChange.hash(config)),
        "applied", System.currentTimeMillis(), "start", "the configuration the process started with", List.of());
  }
}
