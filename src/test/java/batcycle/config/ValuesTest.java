package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

  @ParameterizedTest
  @CsvSource({
      "250ms, 250",
      "0ms, 0",
      "2s, 2000",
      "1m, 60000",
      "90m, 5400000",
      "1h, 3600000",
      "24h, 86400000",
      "0, 0",
      "0s, 0",
      "'  2S ', 2000",
      "1500MS, 1500"})
  void parsesDurationsWithAUnit(String text, long millis) {
    assertThat(Values.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1s", "-0", "5", "500", "5x", "", " ", "s", "1.5s", "2 s", "1d", "1sec", "PT1S", "1h30m",
      "99999999999999999999s", "9223372036854775807h", "9223372036854775807ms"})
  void rejectsDurationsWithoutAUnitNegativeOrMalformed(String text) {
    assertThatThrownBy(() -> Values.parseDuration(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration such as 500ms, 2s, 1m or 1h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"25h", "1441m", "86401s", "86400001ms", "999999999999h"})
  void rejectsDurationsBeyondADay(String text) {
    // Vert.x takes some timeouts as int milliseconds; weeks would silently overflow them.
    assertThatThrownBy(() -> Values.parseDuration(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration of at most 24h");
  }

  @ParameterizedTest
  @CsvSource({
      "65536, 65536",
      "0, 0",
      "64KiB, 65536",
      "64kib, 65536",
      "64k, 65536",
      "64K, 65536",
      "64KB, 65536",
      "'64 KiB', 65536",
      "'  8KiB ', 8192",
      "1MiB, 1048576",
      "1m, 1048576",
      "1mb, 1048576",
      "1g, 1073741824",
      "1GiB, 1073741824",
      "512b, 512",
      "999999999999, 999999999999",
      "999999999999m, 1048575999998951424"})
  void parsesSizes(String text, long bytes) {
    assertThat(Values.parseSize(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "", "lots", "1.5MiB", "1t", "1TiB", "KiB", "64 K iB", "1000000000000",
      "999999999999g"})
  void rejectsMalformedOrOverflowingSizes(String text) {
    assertThatThrownBy(() -> Values.parseSize(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a size such as 65536, 64KiB or 1MiB");
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True", "yes", "on", "1", " true "})
  void parsesTrue(String text) {
    assertThat(Values.parseBoolean(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE", "no", "off", "0", "\tfalse"})
  void parsesFalse(String text) {
    assertThat(Values.parseBoolean(text)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "maybe", "tru", "y", "n", "2", "enabled"})
  void rejectsOtherBooleans(String text) {
    assertThatThrownBy(() -> Values.parseBoolean(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("true or false");
  }

  @Test
  void parsesWholeNumbersInRange() {
    assertThat(Values.parseInt(" 7 ", 1, 10)).isEqualTo(7);
    assertThat(Values.parseInt("1", 1, 10)).isEqualTo(1);
    assertThat(Values.parseInt("10", 1, 10)).isEqualTo(10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "11", "-1", "1.0", "ten", "", "99999999999"})
  void rejectsWholeNumbersOutOfRangeOrMalformed(String text) {
    assertThatThrownBy(() -> Values.parseInt(text, 1, 10))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a whole number in 1..10");
  }

  @ParameterizedTest
  @CsvSource({
      "0, 0",
      "1, 1ms",
      "250, 250ms",
      "1000, 1s",
      "1500, 1500ms",
      "61000, 61s",
      "60000, 1m",
      "90000, 90s",
      "120000, 2m",
      "3600000, 1h",
      "5400000, 90m",
      "86400000, 24h"})
  void formatsDurationsTheWayTheyAreWritten(long millis, String text) {
    assertThat(Values.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 999, 1000, 1001, 59_999, 60_000, 61_000, 3_599_000, 3_600_000, 3_660_000, 86_400_000})
  void formatRoundTripsThroughParse(long millis) {
    Duration d = Duration.ofMillis(millis);

    assertThat(Values.parseDuration(Values.format(d))).isEqualTo(d);
  }

  @Test
  void everyDefaultDurationRoundTrips() {
    for (Key key : Key.values()) {
      if (key.valueHint().equals("DURATION") && !key.defaultValue().isEmpty()) { // empty: "not set"
        Duration d = Values.parseDuration(key.defaultValue());
        assertThat(Values.parseDuration(Values.format(d))).as(key.path()).isEqualTo(d);
      }
    }
  }
}
