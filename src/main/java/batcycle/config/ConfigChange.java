package batcycle.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload would change: the keys whose values differ between the running configuration and the one read again,
 * split into those applied while running and those that wait for a restart, and the configuration then in force (the
 * new values, except that each restart-only key keeps its running value, so nothing is half-applied).
 *
 * @param inForce     the configuration to swap in
 * @param candidate   the configuration as read, restart-only changes included
 * @param applied     changed keys that take effect now
 * @param needRestart changed keys left at their running values until the next start
 */
public record ConfigChange(BatcycleConfig inForce, BatcycleConfig candidate, List<Key> applied,
                           List<Key> needRestart) {
  /**
   * Keys a running batcycle applies, each to exchanges and connections that start after the swap. Everything else
   * waits for a restart, new keys included until the code that reads them takes the swapped configuration: the
   * listener and admin addresses, event loops, transport, the app's address and protocol and the pool to it (built
   * per event loop at start), the connect timeout (set on that pool), latency buckets (a histogram's layout cannot
   * change under Prometheus), the request-log queue and the log format, start-up settings (spent once started),
   * {@code tls.*} (the files' contents rotate, the settings do not), {@code reload.*}, {@code demo}, and the client
   * pace ({@code timeouts.requestBody}, {@code timeouts.responseSend}, {@code limits.minRequestBodyRate*}: shared by
   * the event loops from start). A pool that follows {@code limits.maxConcurrent} keeps the size it started with.
   */
  private static final Set<Key> LIVE = EnumSet.of(Key.CONFIG_ACCESS,
      Key.TIMEOUTS_RESPONSE, Key.TIMEOUTS_REQUEST, Key.TIMEOUTS_UPSTREAM_IDLE, Key.TIMEOUTS_CLIENT_IDLE,
      Key.TIMEOUTS_REQUEST_HEADER,
      Key.LIMITS_MAX_CONNECTIONS, Key.LIMITS_MAX_HEADER_SIZE, Key.LIMITS_MAX_REQUEST_LINE,
      Key.LIMITS_MAX_HEADER_COUNT, Key.LIMITS_MAX_CONCURRENT, Key.BUFFER_REQUEST_BODY,
      Key.LIMITS_QUEUE_SIZE, Key.LIMITS_QUEUE_TIMEOUT, Key.LIMITS_ADAPTIVE, Key.LIMITS_ADAPTIVE_MIN_LIMIT,
      Key.RATE_LIMIT_LIMIT, Key.RATE_LIMIT_PERIOD,
      Key.RETRY_MAX_ATTEMPTS, Key.RETRY_BACKOFF_BASE, Key.RETRY_BACKOFF_MAX, Key.RETRY_STATUSES,
      Key.RETRY_MAX_REPLAY_BYTES, Key.RETRY_MAX_RETRY_AFTER, Key.RETRY_BUDGET_RATIO, Key.RETRY_BUDGET_MIN_PER_SECOND,
      Key.RETRY_BUDGET_WINDOW,
      Key.BREAKER_ENABLED, Key.BREAKER_FAILURE_RATE, Key.BREAKER_MINIMUM_CALLS, Key.BREAKER_WINDOW,
      Key.BREAKER_OPEN_DURATION, Key.BREAKER_HALF_OPEN_CALLS, Key.BREAKER_STATUSES,
      Key.HEADERS_PRESERVE_HOST, Key.HEADERS_TRUST_FORWARDED, Key.HEADERS_FORWARDED, Key.HEADERS_VIA,
      Key.HEADERS_CLIENT_CERT_HEADER,
      Key.METRICS_ROUTES,
      Key.ACCESS_LOG_ENABLED, Key.ACCESS_LOG_FORMAT, Key.ACCESS_LOG_INCLUDE_QUERY, Key.ACCESS_LOG_SAMPLE_SUCCESS,
      Key.ACCESS_LOG_EXCLUDE_PATHS, Key.ACCESS_LOG_HEADERS, Key.ACCESS_LOG_SECRET_HEADERS,
      Key.TRACING_START_TRACES,
      Key.READINESS_PATH, Key.READINESS_TIMEOUT, Key.READINESS_CHECK_APP,
      Key.DRAIN_DELAY, Key.DRAIN_TIMEOUT, Key.TERMINATION_GRACE_PERIOD, Key.APP_KEEP_ALIVE_TIMEOUT, Key.HOST_IP);

  public ConfigChange {
    applied = List.copyOf(applied);
    needRestart = List.copyOf(needRestart);
  }

  /** True when {@code key} is applied by a reload; false when a change of it needs a restart. */
  public static boolean appliesLive(Key key) {
    return LIVE.contains(key);
  }

  /**
   * Compares {@code candidate} (already valid) with {@code running}. Throws {@link ConfigException} when the mix
   * in force (new live values, running restart-only ones) breaks a rule between keys.
   */
  public static ConfigChange between(BatcycleConfig running, BatcycleConfig candidate) {
    List<Key> applied = new ArrayList<>();
    List<Key> needRestart = new ArrayList<>();
    Map<Key, SourcedValue> inForce = new LinkedHashMap<>(candidate.sources());
    for (Key key : Key.values()) {
      SourcedValue before = running.sources().get(key);
      SourcedValue after = candidate.sources().get(key);
      if (sameValue(key, before, after)) {
        inForce.put(key, before); // the same value written differently ("1s", "1000ms") is no change
      } else if (appliesLive(key)) {
        applied.add(key);
      } else {
        needRestart.add(key);
        inForce.put(key, before);
      }
    }
    Map<String, Map<Key, SourcedValue>> entries = entriesInForce(running, candidate, applied, needRestart);
    BatcycleConfig config = applied.isEmpty() ? running
        : ConfigLoader.fromSources(inForce, candidate.configFile(), entries);
    return new ConfigChange(config, candidate, applied, needRestart);
  }

  /**
   * The settings outbound entries set themselves, as in force after the reload. The entries themselves (which,
   * where, to what) change only with a restart ({@code outbound} is not live); for an entry that stays, each of its
   * own settings is applied or waits for a restart as the same key at the top would.
   */
  private static Map<String, Map<Key, SourcedValue>> entriesInForce(BatcycleConfig running, BatcycleConfig candidate,
                                                                    List<Key> applied, List<Key> needRestart) {
    Map<String, Map<Key, SourcedValue>> entries = new LinkedHashMap<>();
    Map<String, OutboundConfig> read = new LinkedHashMap<>();
    candidate.outbound().forEach(entry -> read.put(entry.name(), entry));
    for (OutboundConfig entry : running.outbound()) {
      Map<Key, SourcedValue> own = new LinkedHashMap<>(entry.own());
      OutboundConfig next = read.get(entry.name());
      if (next != null && next.entry().equals(entry.entry())) {
        Set<Key> keys = new java.util.LinkedHashSet<>(entry.own().keySet());
        keys.addAll(next.own().keySet());
        for (Key key : keys) {
          SourcedValue before = entry.own().get(key);
          SourcedValue after = next.own().get(key);
          if (sameValue(key, before, after)) {
            continue;
          }
          if (appliesLive(key)) {
            if (after == null) {
              own.remove(key);
            } else {
              own.put(key, after);
            }
            addOnce(applied, key);
          } else {
            addOnce(needRestart, key);
          }
        }
      }
      entries.put(entry.name(), own);
    }
    return entries;
  }

  private static void addOnce(List<Key> keys, Key key) {
    if (!keys.contains(key)) {
      keys.add(key);
    }
  }

  public boolean isEmpty() {
    return applied.isEmpty() && needRestart.isEmpty();
  }

  private static boolean sameValue(Key key, SourcedValue before, SourcedValue after) {
    if (before == null || after == null) {
      return before == after;
    }
    if (before.text().equals(after.text())) {
      return true;
    }
    try {
      return Objects.equals(key.type().parse(before.text()), key.type().parse(after.text()));
    } catch (IllegalArgumentException e) {
      return false; // both were validated; a parser that now refuses one means they differ
    }
  }

  /**
   * A fingerprint of the settings in force (every key's value, not where it came from): the first 48 bits of a
   * SHA-256, so it fits a Prometheus sample exactly and reads as 12 hex digits.
   */
  public static long hash(BatcycleConfig config) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<Key, SourcedValue> e : config.sources().entrySet()) {
        sha.update((e.getKey().path() + "=" + e.getValue().text() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      for (OutboundConfig entry : config.outbound()) { // what each outbound entry sets itself
        for (Map.Entry<Key, SourcedValue> e : entry.own().entrySet()) {
          sha.update(("outbound[" + entry.name() + "]." + OutboundConfig.entryPath(e.getKey()) + "="
              + e.getValue().text() + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] digest = sha.digest();
      long hash = 0;
      for (int i = 0; i < 6; i++) {
        hash = hash << 8 | (digest[i] & 0xff);
      }
      return hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** {@link #hash} as 12 hex digits, as the status page and {@code /config} show it. */
  public static String hashText(long hash) {
    return String.format("%012x", hash);
  }
}
