package batcycle.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void readsDelaySeconds() {
    assertThat(RetryAfter.parse("0", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse(" 120 ", NOW)).isEqualTo(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse("99999999999999999999", NOW)).isGreaterThan(Duration.ofDays(1));
  }

  @Test
  void readsAnHttpDate() {
    assertThat(RetryAfter.parse("Wed, 25 Nov 2026 10:00:02 GMT", NOW)).isEqualTo(Duration.ofSeconds(2));
    assertThat(RetryAfter.parse("Wed, 25 Nov 2026 09:00:00 GMT", NOW)).as("in the past").isEqualTo(Duration.ZERO);
  }

  @Test
  void ignoresWhatItCannotRead() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse("", NOW)).isNull();
    assertThat(RetryAfter.parse("-1", NOW)).isNull();
    assertThat(RetryAfter.parse("soon", NOW)).isNull();
    assertThat(RetryAfter.parse("1.5", NOW)).isNull();
  }

  @Test
  void aValueOfOnlyControlCharactersOrForeignDigitsIsNoHint() { // found by fuzzing: "\0" threw
    assertThat(RetryAfter.parse("\0", NOW)).isNull();
    assertThat(RetryAfter.parse("\u0663", NOW)).as("ARABIC-INDIC DIGIT THREE").isNull();
  }
}
