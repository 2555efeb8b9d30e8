package batcycle.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed reads of the merged raw values. A bad value is recorded (key, value, source, what was expected) and a
 * placeholder returned, so one start-up reports every problem at once.
 */
final class ConfigReader {
  private final Map<Key, SourcedValue> values;
  private final List<String> problems = new ArrayList<>();

  ConfigReader(Map<Key, SourcedValue> values) {
    this.values = values;
  }

  List<String> problems() {
    return problems;
  }

  String text(Key key) {
    return values.get(key).text();
  }

  <T> T read(Key key, Function<String, T> parser, T placeholder) {
    SourcedValue v = values.get(key);
    try {
      return parser.apply(v.text());
    } catch (IllegalArgumentException e) {
      problem(key, "expected " + e.getMessage());
      return placeholder;
    }
  }

  int integer(Key key, int min, int max) {
    return read(key, t -> Values.parseInt(t, min, max), min);
  }

  Duration duration(Key key) {
    return read(key, Values::parseDuration, Duration.ZERO);
  }

  /** A duration above 0; one parser, so an unparsable value is one problem, not also "above 0". */
  Duration positiveDuration(Key key) {
    return read(key, text -> {
      Duration d = Values.parseDuration(text);
      if (d.isZero()) {
        throw new IllegalArgumentException("a duration above 0");
      }
      return d;
    }, Duration.ofSeconds(1));
  }

  int size(Key key, long min, long max) {
    long size = read(key, Values::parseSize, min);
    if (size < min || size > max) {
      problem(key, "expected a size in " + min + ".." + max + " bytes");
      return (int) min;
    }
    return (int) size;
  }

  /** Empty, or an IPv4/IPv6 literal (never a name: no DNS at start-up). */
  String ipLiteral(Key key) {
    return read(key, text -> {
      String t = text.trim();
      if (!t.isEmpty() && !io.netty.util.NetUtil.isValidIpV4Address(t) && !io.netty.util.NetUtil.isValidIpV6Address(t)) {
        throw new IllegalArgumentException("an IP address such as 10.0.0.7, or nothing");
      }
      return t;
    }, "");
  }

  /** Empty means "not given". */
  java.util.Optional<Duration> optionalDuration(Key key) {
    return text(key).isBlank() ? java.util.Optional.empty() : java.util.Optional.of(duration(key));
  }

  /** A comma-separated list, blanks dropped. */
  List<String> list(Key key) {
    List<String> items = new ArrayList<>();
    for (String item : text(key).split(",")) {
      String trimmed = item.trim(); // isBlank() and trim() disagree on control characters: "\u0010" is not blank
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return items;
  }

  /** Ascending, positive durations, e.g. histogram bucket bounds. */
  List<Duration> durations(Key key) {
    return read(key, text -> {
      List<Duration> out = new ArrayList<>();
      for (String item : text.split(",")) {
        Duration d = Values.parseDuration(item);
        if (d.isZero() || (!out.isEmpty() && d.compareTo(out.get(out.size() - 1)) <= 0)) {
          throw new IllegalArgumentException("ascending durations above 0, such as 5ms,50ms,1s");
        }
        out.add(d);
      }
      return out;
    }, List.of(Duration.ofSeconds(1)));
  }

  /** Route patterns: each starts with '/', at most 50 of them. */
  List<String> routes(Key key) {
    List<String> routes = list(key);
    if (routes.size() > 50 || routes.stream().anyMatch(r -> !r.startsWith("/"))) {
      problem(key, "expected at most 50 path patterns, each starting with '/'");
      return List.of();
    }
    return routes;
  }

  /** A fraction in 0.0..1.0. */
  double ratio(Key key) {
    return read(key, text -> {
      try {
        double value = Double.parseDouble(text.trim());
        if (value >= 0 && value <= 1) {
          return value == 0 ? 0.0 : value; // "-0" is 0, not a negative zero printed as -0.0 (a fuzz finding)
        }
      } catch (NumberFormatException e) {
        // reported below like any other out-of-range value
      }
      throw new IllegalArgumentException("a number from 0.0 to 1.0");
    }, 1.0);
  }

  /** Empty, or an absolute path such as /health. */
  String path(Key key) {
    return read(key, text -> {
      String t = text.trim();
      if (!t.isEmpty() && (!t.startsWith("/") || t.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))) {
        throw new IllegalArgumentException("an absolute path such as /health, or nothing");
      }
      return t;
    }, "");
  }

  /** HTTP status codes, each in 400..599 (retry or failure statuses); empty means none. */
  java.util.Set<Integer> statuses(Key key) {
    return read(key, text -> {
      java.util.Set<Integer> out = new java.util.TreeSet<>();
      for (String item : text.split(",")) {
        if (item.isBlank()) {
          continue;
        }
        out.add(Values.parseInt(item, 400, 599));
      }
      return out;
    }, java.util.Set.of());
  }

  /** A duration of whole seconds in {@code min..max} seconds (windows counted in one-second buckets). */
  Duration wholeSeconds(Key key, int min, int max) {
    return read(key, text -> {
      Duration d = Values.parseDuration(text);
      if (d.toMillis() % 1000 != 0 || d.getSeconds() < min || d.getSeconds() > max) {
        throw new IllegalArgumentException("whole seconds from " + min + "s to " + max + "s, such as 30s");
      }
      return d;
    }, Duration.ofSeconds(min));
  }

  boolean bool(Key key) {
    return read(key, Values::parseBoolean, false);
  }

  HostPort hostPort(Key key) {
    return read(key, text -> {
      try {
        return HostPort.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("HOST:PORT with a port in 0..65535, such as 0.0.0.0:8000");
      }
    }, new HostPort("0.0.0.0", 0));
  }

  URI url(Key key) {
    return read(key, ConfigReader::parseUpstreamUrl, URI.create("http://127.0.0.1:8080"));
  }

  <E extends Enum<E>> E choice(Key key, Function<String, E> parser, E placeholder) {
    return read(key, parser, placeholder);
  }

  /** Records a problem that involves a value already read (e.g. two keys that contradict each other). */
  void problem(Key key, String expectation) {
    SourcedValue v = values.get(key);
    // Redacted like /config: an invalid upstream URL can still carry a password in its userinfo.
    problems.add(key.path() + ": '" + Redaction.configValue(key.path(), v.text()) + "' from " + v.source() + " ("
        + expectation + ")");
  }

  private static URI parseUpstreamUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (Exception e) {
      throw new IllegalArgumentException("an http:// URL such as http://127.0.0.1:8080");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("an http:// URL with a host, such as http://127.0.0.1:8080");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) { // java.net.URI accepts any number of digits
      throw new IllegalArgumentException("an http:// URL with a port in 1..65535, such as http://127.0.0.1:8080");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new IllegalArgumentException("an http:// URL without path or query (requests keep their own path)");
    }
    return uri;
  }
}
