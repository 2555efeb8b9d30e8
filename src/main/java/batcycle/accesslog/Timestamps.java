package batcycle.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * UTC timestamps with milliseconds ({@code 2026-11-25T18:09:01.042Z}) for log lines. The part up to the seconds
 * is formatted once per second and reused: a DateTimeFormatter call per line was a visible share of the
 * request log's cost.
 */
final class Timestamps {
  private static final DateTimeFormatter TO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Immutable, so a reader on another thread sees either the old or the new second, never a mix. */
  private record Second(long epochSecond, String prefix) {}

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private Timestamps() {}

  static void append(StringBuilder out, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Second cached = last;
    if (cached.epochSecond() != second) {
      cached = new Second(second, TO_SECONDS.format(Instant.ofEpochSecond(second)));
      last = cached;
    }
    int millis = (int) Math.floorMod(epochMillis, 1000);
    out.append(cached.prefix()).append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
        .append((char) ('0' + millis % 10)).append('Z');
  }
}
