package batcycle.headers;

import batcycle.config.Redaction;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The one list of headers whose values are never written to logs or shown on admin pages. */
public final class SensitiveHeaders {
  /** Always secret, whatever the configuration says. */
  public static final Set<String> ALWAYS = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
      "x-api-key", "x-auth-token", "x-csrf-token", "x-xsrf-token");
  public static final String REDACTED = Redaction.REDACTED;

  private final Set<String> names;

  public SensitiveHeaders(Collection<String> extra) {
    Set<String> all = new TreeSet<>(ALWAYS);
    for (String name : extra) {
      all.add(name.trim().toLowerCase(Locale.ROOT));
    }
    this.names = Set.copyOf(all);
  }

  public boolean isSensitive(String headerName) {
    return names.contains(headerName.toLowerCase(Locale.ROOT));
  }

  /** The value as it may be logged. */
  public String loggable(String headerName, String value) {
    return isSensitive(headerName) ? REDACTED : value;
  }
}
