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

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
