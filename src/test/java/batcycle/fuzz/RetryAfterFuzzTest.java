package batcycle.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.retry.RetryAfterFuzzEntry;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * {@code Retry-After} from the app (RFC 9110 §10.2.3): delay-seconds (ASCII digits) or an HTTP-date give a delay
 * that is never negative; anything else is no hint (null). Never an exception: it runs on every retryable status.
 */
class RetryAfterFuzzTest {
  /** A fixed clock: the fuzzer varies the dates, before and after it. */
  private static final Instant NOW = Instant.parse("2026-11-25T18:00:00Z");

  /** The input is the header value's bytes. */
  @FuzzTest
  void retryAfterIsADelayOrNoHint(byte[] input) {
    Instant now = NOW;
    String value = CorrelationHeadersFuzzTest.fieldValue(input);

    Duration delay = RetryAfterFuzzEntry.parse(value, now);

    String v = value.trim(); // OWS, and leniently any other control character
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      assertThat(delay).as("delay-seconds %s", value)
          .isEqualTo(v.length() > 9 ? Duration.ofSeconds(999_999_999) : Duration.ofSeconds(Long.parseLong(v)));
      return;
    }
    Instant date = httpDate(v);
    if (date == null) {
      assertThat(delay).as("no hint in %s", value).isNull();
    } else {
      assertThat(delay).isEqualTo(date.isBefore(now) ? Duration.ZERO : Duration.between(now, date));
    }
  }

  private static Instant httpDate(String v) {
    try {
      return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
