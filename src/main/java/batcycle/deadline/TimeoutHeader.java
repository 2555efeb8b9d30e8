package batcycle.deadline;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code X-Batcycle-Timeout}: {@code 1500ms}, {@code 2s}, or plain milliseconds such as {@code 1500}. */
final class TimeoutHeader {
  private static final Pattern VALUE = Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s)?\\s*");

  private TimeoutHeader() {}

  /** Milliseconds above 0, or -1 if the value is absent or not understood (then it is ignored, like Envoy does). */
  static long parseMillis(String value) {
    if (value == null) {
      return -1;
    }
    Matcher m = VALUE.matcher(value);
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    long ms = "s".equals(m.group(2)) ? n * 1000 : n;
    return ms > 0 ? ms : -1;
  }
}
