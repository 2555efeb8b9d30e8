package batcycle.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text syntax of durations, sizes, whole numbers and switches, shared by every key of that kind. Each parser
 * throws {@link IllegalArgumentException} saying what was expected.
 */
public final class Values {
  /**
   * Longest duration accepted: timeouts beyond a day are mistakes, and Vert.x takes some of them as {@code int}
   * milliseconds, which a few weeks would overflow. "No timeout" is written {@code 0} where a key allows it.
   */
  static final Duration MAX_DURATION = Duration.ofHours(24);
  static final String DURATION_EXPECTED = "a duration such as 500ms, 1.5s, 1m30s or 2h";
  static final String SIZE_EXPECTED = "a size such as 65536, 64KiB (65536 bytes) or 64KB (64000 bytes)";
  /** A number (decimals allowed) and a unit, repeated: Go's duration syntax without sign and sub-millisecond units. */
  private static final Pattern DURATION = Pattern.compile("(?:(?:\\d{1,12}(?:\\.\\d{0,9})?|\\.\\d{1,9})(?:ms|s|m|h))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d*(?:\\.\\d*)?)(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,9})?)\\s*([a-z]*)");

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
   * {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 1m30s}, {@code 1h}, or {@code 0}: numbers with a unit (ms, s, m
   * or h) as Go and Envoy write them, summed; whole milliseconds, at most {@link #MAX_DURATION}.
   */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (!DURATION.matcher(t).matches()) {
      throw new IllegalArgumentException(DURATION_EXPECTED);
    }
    BigDecimal millis = BigDecimal.ZERO;
    Matcher part = DURATION_PART.matcher(t);
    while (part.find()) {
      long unit = switch (part.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      // Bounded digits (the pattern above): exact decimal arithmetic, no overflow, no rounding.
      millis = millis.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unit)));
    }
    if (millis.compareTo(BigDecimal.valueOf(MAX_DURATION.toMillis())) > 0) {
      throw new IllegalArgumentException("a duration of at most " + format(MAX_DURATION));
    }
    if (millis.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("a duration in whole milliseconds, such as 1.5s or 250ms");
    }
    return Duration.ofMillis(millis.longValueExact());
  }

  /**
   * Bytes: {@code 65536}, or a number with a unit. KB, MB and GB are powers of 1000 and KiB, MiB and GiB (or
   * Kubernetes' Ki, Mi, Gi) powers of 1024, as the SI and IEC define them; a bare k, m or g is refused, because tools
   * disagree on it (nginx: 1024, Kubernetes: 1000) and a limit off by 2.4 % is hard to spot.
   */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(SIZE_EXPECTED);
    }
    long multiplier = switch (m.group(2)) {
      case "", "b" -> 1;
      case "kb" -> 1_000;
      case "mb" -> 1_000_000;
      case "gb" -> 1_000_000_000;
      case "kib", "ki" -> 1L << 10;
      case "mib", "mi" -> 1L << 20;
      case "gib", "gi" -> 1L << 30;
      case "k", "m", "g" -> throw new IllegalArgumentException("a size with an unambiguous unit: "
          + m.group(1) + m.group(2).toUpperCase(Locale.ROOT) + "iB (powers of 1024) or "
          + m.group(1) + m.group(2).toUpperCase(Locale.ROOT) + "B (powers of 1000)");
      default -> throw new IllegalArgumentException(SIZE_EXPECTED);
    };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
    if (bytes.stripTrailingZeros().scale() > 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(SIZE_EXPECTED);
    }
    return bytes.longValueExact();
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

  /** Human form of a size in bytes: {@code 64KiB} when it is a whole number of KiB, MiB or GiB, else bytes. */
  static String formatSize(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      long scale = 1L << (30 - 10 * i);
      if (bytes != 0 && bytes % scale == 0) {
        return bytes / scale + units[i];
      }
    }
    return Long.toString(bytes);
  }
}
