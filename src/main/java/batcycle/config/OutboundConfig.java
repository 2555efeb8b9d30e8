package batcycle.config;

import java.net.URI;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One outbound (ambassador) entry, complete: a local listener for the app and the remote service it forwards to,
 * with everything the inbound side has (timeouts, retries and budget, breaker, limits, request log, tracing), each
 * the inbound value unless the entry sets its own, plus what only a remote has (TLS, balancing, outlier ejection,
 * the Host to send).
 *
 * @param settings the entry's effective settings in the shape of the whole configuration: its {@code listen} is the
 *                 entry's, its sections hold the entry's values; its {@code upstream} (the app) is not used
 * @param own      the settings the entry set itself, with their sources (the rest it took from the inbound side or
 *                 from a flag or variable for every entry)
 */
public record OutboundConfig(OutboundEntry entry, OutboundRouting routing, OutboundHeaders headers,
                             OutboundTlsConfig tls, OutlierConfig outlier, BatcycleConfig settings,
                             Map<Key, SourcedValue> own) {
  /** Inbound settings an entry takes as its defaults and may set for itself. */
  static final Set<Key> INHERITED = inherited();

  public OutboundConfig {
    own = Collections.unmodifiableMap(new LinkedHashMap<>(own));
  }

  public String name() {
    return entry.name();
  }

  public HostPort listen() {
    return entry.listen();
  }

  public List<URI> upstreams() {
    return entry.upstreams();
  }

  /** True for https:// remotes. */
  public boolean secure() {
    return entry.secure();
  }

  /** Whether {@code key} may be set inside an outbound entry. */
  public static boolean settable(Key key) {
    return key.path().startsWith("outbound.") || INHERITED.contains(key);
  }

  /** The key's path inside an entry: {@code outbound.tls.caFile} is {@code tls.caFile} there. */
  public static String entryPath(Key key) {
    return key.path().startsWith("outbound.") ? key.path().substring("outbound.".length()) : key.path();
  }

  private static Set<Key> inherited() {
    Set<Key> keys = EnumSet.noneOf(Key.class);
    for (Key key : Key.values()) {
      switch (key.section()) {
        case "timeouts", "pool", "limits", "rateLimit", "retry", "breaker", "tracing" -> keys.add(key);
        default -> { }
      }
    }
    // The Host policy of a remote is its own (outbound.headers.host), and X-Forwarded-* describe a client to the
    // app: a remote outside the pod gets neither the app's Host nor the pod's loopback address.
    keys.add(Key.HEADERS_VIA);
    // One writer serves every listener: its format and queue are not per entry.
    keys.addAll(List.of(Key.ACCESS_LOG_ENABLED, Key.ACCESS_LOG_INCLUDE_QUERY, Key.ACCESS_LOG_SAMPLE_SUCCESS,
        Key.ACCESS_LOG_EXCLUDE_PATHS, Key.ACCESS_LOG_HEADERS, Key.ACCESS_LOG_SECRET_HEADERS));
    return keys;
  }
}
