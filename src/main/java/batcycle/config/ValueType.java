package batcycle.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the text of a setting may be: how it is parsed, which values are allowed, and how both are documented (the
 * parameter label of {@code --help}, the Values column of the README's table). Each {@link Key} declares one, so a
 * range is written once and enforced on text (with its source) and on records built in code alike.
 *
 * @param <T> the value; the section record declares it as {@link #javaType()} (primitives unboxed)
 */
public final class ValueType<T> {
  private final String javaType;
  private final String hint;
  private final String values;
  private final Function<String, T> parser;
  private final Predicate<T> allowed;
  private final String expected;
  private final String whenEmpty;

  private ValueType(String javaType, String hint, String values, Function<String, T> parser, Predicate<T> allowed,
                    String expected, String whenEmpty) {
    this.javaType = javaType;
    this.hint = hint;
    this.values = values;
    this.parser = parser;
    this.allowed = allowed;
    this.expected = expected;
    this.whenEmpty = whenEmpty;
  }

  /** The record component's type as reflection spells it: {@code int}, {@code java.util.List<java.lang.String>}. */
  public String javaType() {
    return javaType;
  }

  /** The parameter label in {@code --help}: {@code N}, {@code DURATION}, {@code http1|h2c}. */
  public String hint() {
    return hint;
  }

  /** The values allowed, for people: {@code 1..100000}, {@code 1KiB..1MiB}, {@code http1, h2c}. */
  public String values() {
    return values;
  }

  /** What an empty value means ({@code (none)}, {@code number of cores}), or empty if empty is not allowed. */
  public Optional<String> whenEmpty() {
    return Optional.ofNullable(whenEmpty);
  }

  public boolean isList() {
    return hint.equals("LIST");
  }

  public boolean isBoolean() {
    return hint.equals("BOOL");
  }

  /** The value {@code text} stands for; throws {@link IllegalArgumentException} saying what was expected. */
  T parse(String text) {
    T value = parser.apply(text);
    if (!allowed.test(value)) {
      throw new IllegalArgumentException(expected);
    }
    return value;
  }

  /** What a value given in code (a record built directly) should have been, or empty when it is allowed. */
  Optional<String> violation(Object value) {
    if (value == null) {
      return Optional.of("a value");
    }
    try {
      @SuppressWarnings("unchecked") // checked here: a value of another type fails the cast inside the predicate
      boolean ok = allowed.test((T) value);
      return ok ? Optional.empty() : Optional.of(expected);
    } catch (ClassCastException e) {
      throw new IllegalStateException("a " + value.getClass().getName() + " where " + javaType + " is declared", e);
    }
  }

  // ---------------------------------------------------------------- the types keys are declared with

  static ValueType<Integer> integer(int min, int max) {
    String expected = "a whole number in " + min + ".." + max;
    return new ValueType<>("int", "N", min + ".." + max, text -> Values.parseInt(text, min, max),
        v -> v >= min && v <= max, expected, null);
  }

  static ValueType<Integer> percent() {
    ValueType<Integer> whole = integer(1, 100);
    return new ValueType<>(whole.javaType, "PERCENT", whole.values, whole.parser, whole.allowed, whole.expected, null);
  }

  /** A whole number, or empty for one computed at start-up (documented as {@code meaning}). */
  static ValueType<Integer> integerOrComputed(int min, int max, String meaning, Supplier<Integer> computed) {
    ValueType<Integer> whole = integer(min, max);
    return new ValueType<>(whole.javaType, whole.hint, whole.values + ", or empty for the " + meaning,
        text -> text.isBlank() ? computed.get() : whole.parser.apply(text), whole.allowed, whole.expected, meaning);
  }

  /** A whole number, or empty for "follow another setting" (documented as {@code meaning}). */
  static ValueType<Optional<Integer>> optionalInteger(int min, int max, String meaning) {
    ValueType<Integer> whole = integer(min, max);
    return new ValueType<>("java.util.Optional<java.lang.Integer>", whole.hint, whole.values + ", or empty for "
        + meaning, text -> text.isBlank() ? Optional.empty() : Optional.of(whole.parser.apply(text)),
        v -> v.map(whole.allowed::test).orElse(true), whole.expected, meaning);
  }

  /** Bytes, held as an {@code int}: Vert.x and Netty take buffer and header limits as {@code int}. */
  static ValueType<Integer> size(int min, int max) {
    String expected = "a size in " + min + ".." + max + " bytes";
    return new ValueType<>("int", "SIZE", Values.formatSize(min) + ".." + Values.formatSize(max), text -> {
      long bytes = Values.parseSize(text);
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(expected);
      }
      return (int) bytes;
    }, v -> v >= min && v <= max, expected, null);
  }

  /** A duration from 0 (which the key's description gives a meaning, such as "none") to a day. */
  static ValueType<Duration> duration() {
    return new ValueType<>(Duration.class.getName(), "DURATION", "0..24h", Values::parseDuration,
        ValueType::withinADay, "a duration of at most 24h", null);
  }

  static ValueType<Duration> positiveDuration() {
    return new ValueType<>(Duration.class.getName(), "DURATION", "1ms..24h", Values::parseDuration,
        d -> !d.isZero() && withinADay(d), "a duration above 0, at most 24h", null);
  }

  /** Whole seconds: sliding windows counted in one-second buckets. */
  static ValueType<Duration> wholeSeconds(int min, int max) {
    return new ValueType<>(Duration.class.getName(), "DURATION", min + "s.." + max + "s, whole seconds",
        Values::parseDuration, d -> d.toMillis() % 1000 == 0 && d.getSeconds() >= min && d.getSeconds() <= max,
        "whole seconds from " + min + "s to " + max + "s, such as 30s", null);
  }

  static ValueType<Optional<Duration>> optionalDuration() {
    return new ValueType<>("java.util.Optional<java.time.Duration>", "DURATION", "0..24h, or empty",
        text -> text.isBlank() ? Optional.empty() : Optional.of(Values.parseDuration(text)),
        d -> d.map(ValueType::withinADay).orElse(true), "a duration of at most 24h", "(none)");
  }

  static ValueType<Boolean> bool() {
    return new ValueType<>("boolean", "BOOL", "true, false", Values::parseBoolean, v -> true, "true or false", null);
  }

  /** A share from 0.0 to 1.0. */
  static ValueType<Double> ratio() {
    String expected = "a number from 0.0 to 1.0";
    return new ValueType<>("double", "RATIO", "0.0..1.0", text -> {
      try {
        double value = Double.parseDouble(text.trim());
        return value == 0 ? 0.0 : value; // "-0" is 0, not a negative zero printed as -0.0 (a fuzz finding)
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(expected);
      }
    }, v -> v >= 0 && v <= 1, expected, null); // NaN fails both comparisons
  }

  /** One of an enum's constants, spelt as its {@code toString()}, in any case. */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
    return choice(type, text -> Arrays.stream(type.getEnumConstants())
        .filter(e -> e.toString().equalsIgnoreCase(text.trim())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(oneOf(type))));
  }

  /** One of an enum's constants, spelt as its {@code toString()}; {@code parser} may accept aliases. */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type, Function<String, E> parser) {
    List<String> names = names(type);
    return new ValueType<>(type.getName(), String.join("|", names), String.join(", ", names), parser, v -> true,
        oneOf(type), null);
  }

  private static List<String> names(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
  }

  /** {@code auto, io_uring, epoll or nio}. */
  private static String oneOf(Class<? extends Enum<?>> type) {
    List<String> names = names(type);
    String last = names.get(names.size() - 1);
    return names.size() == 1 ? last : String.join(", ", names.subList(0, names.size() - 1)) + " or " + last;
  }

  static ValueType<HostPort> hostPort() {
    String expected = "HOST:PORT with a port in 0..65535, such as 0.0.0.0:8000";
    return new ValueType<>(HostPort.class.getName(), "HOST:PORT", "HOST:PORT, [IPv6]:PORT or :PORT", text -> {
      try {
        return HostPort.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(expected);
      }
    }, v -> true, expected, null);
  }

  /** The app's URL: http, a host, a port in 1..65535 or none (80), no path or query. */
  static ValueType<URI> httpUrl() {
    return new ValueType<>(URI.class.getName(), "URL", "http://HOST:PORT", ValueType::parseHttpUrl, uri -> {
      try {
        parseHttpUrl(uri.toString());
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }, "an http:// URL with a host and no path, such as http://127.0.0.1:8080", null);
  }

  /** Outbound entries in the compact form {@code NAME=LISTEN=URL}, comma-separated; empty: none. */
  static ValueType<List<OutboundEntry>> outboundEntries() {
    return new ValueType<>("java.util.List<batcycle.config.OutboundEntry>", "NAME=LISTEN=URL",
        "NAME=LISTEN=URL, comma-separated", OutboundEntry::parseAll, v -> true, OutboundEntry.EXPECTED, "(none)");
  }

  /** Empty, or a host name or IP address with an optional port, as a Host header or TLS names a server. */
  static ValueType<String> hostName(boolean portAllowed) {
    Pattern host = Pattern.compile(portAllowed ? "([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?"
        : "[A-Za-z0-9._-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    String expected = portAllowed ? "a host name with an optional port, such as payments.example:8443, or nothing"
        : "a host name or IP address, such as payments.example, or nothing";
    return new ValueType<>(String.class.getName(), portAllowed ? "HOST[:PORT]" : "HOST", portAllowed
        ? "HOST[:PORT], or empty" : "HOST, or empty", String::trim,
        text -> text.isEmpty() || host.matcher(text).matches(), expected, "(none)");
  }

  /** IP addresses with optional ports (53 when left out), comma-separated: never names, which would need DNS. */
  static ValueType<List<HostPort>> ipAddresses() {
    String expected = "IP addresses with an optional port, such as 10.96.0.10 or 127.0.0.1:5353, comma-separated";
    return new ValueType<>("java.util.List<batcycle.config.HostPort>", "LIST", "IP[:PORT], comma-separated",
        text -> {
          List<HostPort> out = new ArrayList<>();
          for (String item : items(text)) {
            out.add(ipAddress(item, expected));
          }
          return out;
        }, v -> v.stream().allMatch(a -> IpLiteral.parse(a.host()).isPresent()), expected, "(none)");
  }

  private static HostPort ipAddress(String item, String expected) {
    if (IpLiteral.parse(item).isPresent()) {
      return new HostPort(item, 53);
    }
    try {
      HostPort parsed = HostPort.parse(item);
      if (IpLiteral.parse(parsed.host()).isPresent() && !item.startsWith(":")) {
        return parsed;
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(expected);
    }
    throw new IllegalArgumentException(expected);
  }

  /** Empty, or an IPv4/IPv6 literal (never a name: no DNS at start-up). */
  static ValueType<String> ipLiteral() {
    String expected = "an IP address such as 10.0.0.7, or nothing";
    Predicate<String> literal = text -> text.isEmpty() || IpLiteral.parse(text).isPresent();
    return new ValueType<>(String.class.getName(), "IP", "IP address, or empty", String::trim, literal, expected,
        "(none)");
  }

  /** Empty, or an absolute path such as {@code /health}. */
  static ValueType<String> absolutePath() {
    Predicate<String> path = text -> text.isEmpty()
        || text.startsWith("/") && text.chars().noneMatch(c -> c <= ' ' || c >= 0x7f);
    return new ValueType<>(String.class.getName(), "PATH", "/PATH, or empty", String::trim, path,
        "an absolute path such as /health, or nothing", "(none)");
  }

  /** Empty, or a file's path (read when the setting is used, so a missing file is reported then, naming the key). */
  static ValueType<String> filePath() {
    Predicate<String> path = text -> text.chars().noneMatch(c -> c < ' ' || c == 0x7f);
    return new ValueType<>(String.class.getName(), "FILE", "a file's path, or empty", String::trim, path,
        "a file's path, or nothing", "(none)");
  }

  /** Empty, or an HTTP header name (RFC 9110 §5.1: a token). */
  static ValueType<String> headerName() {
    Predicate<String> token = text -> text.chars().allMatch(c -> c < 0x7f
        && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0));
    return new ValueType<>(String.class.getName(), "HEADER", "a header name, or empty", String::trim, token,
        "a header name such as X-Client-Cert-Subject, or nothing", "(none)");
  }

  /** Comma-separated (in YAML also a list); blank items dropped. */
  static ValueType<List<String>> list() {
    return new ValueType<>("java.util.List<java.lang.String>", "LIST", "comma-separated list", ValueType::items,
        v -> true, "a comma-separated list", "(none)");
  }

  /** Path patterns starting with '/', at most {@code max} of them. */
  static ValueType<List<String>> routes(int max) {
    return new ValueType<>("java.util.List<java.lang.String>", "LIST", "up to " + max + " path patterns, comma-separated",
        ValueType::items, v -> v.size() <= max && v.stream().allMatch(r -> r.startsWith("/")),
        "at most " + max + " path patterns, each starting with '/'", "(none)");
  }

  /** HTTP statuses in 400..599 (retry or failure statuses); empty means none. */
  static ValueType<Set<Integer>> statuses() {
    return new ValueType<>("java.util.Set<java.lang.Integer>", "LIST", "statuses in 400..599, comma-separated",
        text -> {
          Set<Integer> out = new TreeSet<>();
          for (String item : text.split(",")) {
            if (!item.isBlank()) {
              out.add(Values.parseInt(item, 400, 599));
            }
          }
          return out;
        }, v -> v.stream().allMatch(s -> s >= 400 && s <= 599), "statuses in 400..599", "(none)");
  }

  /** Ascending durations above 0, such as histogram bucket bounds. */
  static ValueType<List<Duration>> ascendingDurations() {
    String expected = "ascending durations above 0, such as 5ms,50ms,1s";
    Predicate<List<Duration>> ascending = v -> {
      for (int i = 0; i < v.size(); i++) {
        if (v.get(i).isZero() || !withinADay(v.get(i)) || i > 0 && v.get(i).compareTo(v.get(i - 1)) <= 0) {
          return false;
        }
      }
      return !v.isEmpty();
    };
    return new ValueType<>("java.util.List<java.time.Duration>", "LIST", "ascending durations, comma-separated",
        text -> Arrays.stream(text.split(",")).map(Values::parseDuration).collect(Collectors.toList()), ascending,
        expected, null);
  }

  // ---------------------------------------------------------------- helpers

  private static boolean withinADay(Duration d) {
    return !d.isNegative() && d.compareTo(Values.MAX_DURATION) <= 0;
  }

  private static List<String> items(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      String trimmed = item.trim(); // isBlank() and trim() disagree on control characters: "\u0010" is not blank
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return items;
  }

  private static URI parseHttpUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
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
