package batcycle.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for configuration text. Each throws {@link IllegalArgumentException} saying what was expected. */
public final class Values {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  private Values() {}

  static int parseInt(String text, int min, int max) {
    try {
      int value = Integer.parseInt(text.trim());
      if (value < min || value > max) {
        throw new IllegalArgumentException("a whole number in " + min + ".." + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a whole number in " + min + ".." + max);
    }
  }

  /**
   * Longest duration accepted: timeouts beyond a day are mistakes, and Vert.x takes some of them as {@code int}
   * milliseconds, which a few weeks would overflow. "No timeout" is written {@code 0} where a key allows it.
   */
  static final Duration MAX_DURATION = Duration.ofHours(24);

  /** {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, or {@code 0}; at most {@link #MAX_DURATION}. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("a duration such as 500ms, 2s, 1m or 1h");
    }
    long n = Long.parseLong(m.group(1)); // at most 12 digits: no overflow, even in hours
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("a duration of at most " + format(MAX_DURATION));
    }
    return d;
  }

  /** Bytes: {@code 65536}, {@code 64KiB}, {@code 1MiB} (k, KB and KiB all mean 1024). */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || m.group(1).length() > 12) {
      throw new IllegalArgumentException("a size such as 65536, 64KiB or 1MiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long multiplier = switch (unit.charAt(0)) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      default -> 1;
    };
    try {
      return Math.multiplyExact(n, multiplier); // 12 digits of GiB would overflow a shift silently
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("a size such as 65536, 64KiB or 1MiB");
    }
  }

  static boolean parseBoolean(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("true or false");
    };
  }

  /** Human form of a duration, the way it is written in configuration. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
