package batcycle.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lets the fuzz tests in {@code batcycle.fuzz} call the package-private value parsers: {@link Values} directly, and
 * the reads of {@link ConfigReader} the way the loader does them (one key by its declaration, its problems recorded).
 */
public final class ConfigFuzzEntry {
  private ConfigFuzzEntry() {}

  /** A typed read: the value (the key's default when there were problems) and the problem lines it recorded. */
  public record Read<T>(T value, List<String> problems) {}

  public static Duration duration(String text) {
    return Values.parseDuration(text);
  }

  public static long size(String text) {
    return Values.parseSize(text);
  }

  public static int integer(String text, int min, int max) {
    return Values.parseInt(text, min, max);
  }

  public static boolean bool(String text) {
    return Values.parseBoolean(text);
  }

  public static Read<Double> ratio(String text) {
    return read(Key.ACCESS_LOG_SAMPLE_SUCCESS, text);
  }

  public static Read<List<String>> list(String text) {
    return read(Key.ACCESS_LOG_HEADERS, text);
  }

  public static Read<URI> upstreamUrl(String text) {
    return read(Key.UPSTREAM, text);
  }

  public static Read<HostPort> hostPort(String text) {
    return read(Key.LISTEN, text);
  }

  public static Read<Set<Integer>> statuses(String text) {
    return read(Key.RETRY_STATUSES, text);
  }

  public static Read<List<Duration>> durations(String text) {
    return read(Key.METRICS_LATENCY_BUCKETS, text);
  }

  public static Read<List<String>> routes(String text) {
    return read(Key.METRICS_ROUTES, text);
  }

  /** {@code retry.maxReplayBytes}: a size within its declared range, 0..16 MiB. */
  public static Read<Integer> replayBytes(String text) {
    return read(Key.RETRY_MAX_REPLAY_BYTES, text);
  }

  private static <T> Read<T> read(Key key, String text) {
    ConfigReader reader = new ConfigReader(Map.of(key, new SourcedValue(text, "env " + key.envName())));
    T value = reader.get(key);
    // Problems reach the operator only through ConfigException, which keeps each on one line.
    List<String> problems = reader.problems().isEmpty() ? List.of() : new ConfigException(reader.problems()).problems();
    return new Read<>(value, problems);
  }
}
