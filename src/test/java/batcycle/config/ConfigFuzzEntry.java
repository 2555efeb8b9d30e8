package batcycle.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Lets the fuzz tests in {@code batcycle.fuzz} call the package-private value parsers: {@link Values} directly, and
 * the typed reads of {@link ConfigReader} the way the loader does them (one key, its problems recorded).
 */
public final class ConfigFuzzEntry {
  private ConfigFuzzEntry() {}

  /** A typed read: the value (a placeholder when there were problems) and the problem lines it recorded. */
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
    return read(Key.ACCESS_LOG_SAMPLE_SUCCESS, text, r -> r.ratio(Key.ACCESS_LOG_SAMPLE_SUCCESS));
  }

  public static Read<List<String>> list(String text) {
    return read(Key.ACCESS_LOG_HEADERS, text, r -> r.list(Key.ACCESS_LOG_HEADERS));
  }

  public static Read<URI> upstreamUrl(String text) {
    return read(Key.UPSTREAM, text, r -> r.url(Key.UPSTREAM));
  }

  public static Read<HostPort> hostPort(String text) {
    return read(Key.LISTEN, text, r -> r.hostPort(Key.LISTEN));
  }

  public static Read<Set<Integer>> statuses(String text) {
    return read(Key.RETRY_STATUSES, text, r -> r.statuses(Key.RETRY_STATUSES));
  }

  public static Read<List<Duration>> durations(String text) {
    return read(Key.METRICS_LATENCY_BUCKETS, text, r -> r.durations(Key.METRICS_LATENCY_BUCKETS));
  }

  public static Read<List<String>> routes(String text) {
    return read(Key.METRICS_ROUTES, text, r -> r.routes(Key.METRICS_ROUTES));
  }

  public static Read<Integer> size(String text, long min, long max) {
    return read(Key.RETRY_MAX_REPLAY_BYTES, text, r -> r.size(Key.RETRY_MAX_REPLAY_BYTES, min, max));
  }

  private static <T> Read<T> read(Key key, String text, Function<ConfigReader, T> reading) {
    ConfigReader reader = new ConfigReader(Map.of(key, new SourcedValue(text, "env " + key.envName())));
    T value = reading.apply(reader);
    // Problems reach the operator only through ConfigException, which keeps each on one line.
    List<String> problems = reader.problems().isEmpty() ? List.of() : new ConfigException(reader.problems()).problems();
    return new Read<>(value, problems);
  }
}
