package batcycle.tls;

import batcycle.config.TlsConfig;
import java.util.List;

/**
 * The TLS files checked without serving them, for {@code batcycle check}: read and paired with the JDK alone (no
 * Netty), so the check stays as fast as the rest of it.
 */
public final class TlsFiles {
  private TlsFiles() {}

  /** One line per problem, {@code tls.keyFile: ...}, as start-up would report it; empty when TLS is off or fine. */
  public static List<String> problems(TlsConfig config) {
    if (!config.enabled()) {
      return List.of();
    }
    try {
      TlsMaterial.load(config);
      return List.of();
    } catch (TlsMaterial.Invalid e) {
      return List.of(e.key().path() + ": " + e.getMessage());
    }
  }
}
