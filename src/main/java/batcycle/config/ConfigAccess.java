package batcycle.config;

import java.util.Locale;

/**
 * Who may read {@code /config}: it lists every setting (secrets redacted, but still the pod's layout), so by default
 * only loopback, like the endpoints that change state; the status page and the probes stay open.
 */
public enum ConfigAccess {
  /** Other containers of the pod, and {@code kubectl port-forward}, which connects from inside the pod. */
  LOOPBACK,
  /** Any client that reaches the admin port. */
  ANY;

  static ConfigAccess parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "loopback" -> LOOPBACK;
      case "any" -> ANY;
      default -> throw new IllegalArgumentException("loopback or any");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
