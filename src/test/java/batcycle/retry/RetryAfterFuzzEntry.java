package batcycle.retry;

import java.time.Duration;
import java.time.Instant;

/** Lets the fuzz tests in {@code batcycle.fuzz} call the package-private {@link RetryAfter} parser. */
public final class RetryAfterFuzzEntry {
  private RetryAfterFuzzEntry() {}

  public static Duration parse(String value, Instant now) {
    return RetryAfter.parse(value, now);
  }
}
