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
      "1500MS, 1500",
      // Go's and Envoy's syntax: decimals, and several parts summed.
      "1.5s, 1500",
      "0.25s, 250",
      ".5s, 500",
      "1.s, 1000",
      "2.5m, 150000",
      "0.5h, 1800000",
      "1m30s, 90000",
      "1h30m, 5400000",
      "1h1m1s1ms, 3661001",
      "1s500ms, 1500",
      "1.5ms1.5ms, 3",
      "23h59m59.999s, 86399999"})
  void parsesDurationsWithAUnit(String text, long millis) {
    assertThat(Values.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1s", "-0", "+1s", "5", "500", "5x", "", " ", "s", ".s", "1..5s", "1.5.5s", "2 s",
      "1m 30s", "1d", "1sec", "PT1S", "1us", "1ns", "1e3ms", "0x10s", "1,5s", "99999999999999999999s",
      "9223372036854775807h", "9223372036854775807ms", "1.0000000001s"})
  void rejectsDurationsWithoutAUnitNegativeOrMalformed(String text) {
    assertThatThrownBy(() -> Values.parseDuration(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration such as 500ms, 1.5s, 1m30s or 2h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5ms", "0.1ms", "0.0001s", "1.0001s"})
  void rejectsFractionsOfAMillisecond(String text) {
    // Timeouts are armed in whole milliseconds; rounding 1.5ms silently would change what was asked for.
    assertThatThrownBy(() -> Values.parseDuration(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration in whole milliseconds, such as 1.5s or 250ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"25h", "1441m", "86401s", "86400001ms", "999999999999h", "24h1ms", "23h60m1s", "24.5h"})
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
      "512b, 512",
      // IEC: powers of 1024, also written as Kubernetes does.
      "64KiB, 65536",
      "64kib, 65536",
      "64Ki, 65536",
      "'64 KiB', 65536",
      "'  8KiB ', 8192",
      "1MiB, 1048576",
      "1Mi, 1048576",
      "1GiB, 1073741824",
      "1.5KiB, 1536",
      "0.5MiB, 524288",
      // SI: powers of 1000.
      "64KB, 64000",
      "64kB, 64000",
      "64kb, 64000",
      "1MB, 1000000",
      "1.5MB, 1500000",
      "2GB, 2000000000",
      "999999999999, 999999999999",
      "999999999999MiB, 1048575999998951424"})
  void parsesSizes(String text, long bytes) {
    assertThat(Values.parseSize(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "", "lots", "1t", "1TiB", "KiB", "64 K iB", "1.5", "0.5b", "0.1KiB", "1.0001KB",
      "1e3", "9999999999999999", "9999999999GiB", "64KBs"})
  void rejectsMalformedFractionalOrOverflowingSizes(String text) {
    assertThatThrownBy(() -> Values.parseSize(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a size such as 65536, 64KiB (65536 bytes) or 64KB (64000 bytes)");
  }

  @ParameterizedTest
  @CsvSource({"64k, 64KiB, 64KB", "64K, 64KiB, 64KB", "1m, 1MiB, 1MB", "1g, 1GiB, 1GB", "'1.5 m', 1.5MiB, 1.5MB"})
  void refusesABareLetterNamingBothMeanings(String text, String binary, String decimal) {
    // nginx reads 64k as 65536 and Kubernetes as 64000: whichever batcycle picked, someone would be surprised.
    assertThatThrownBy(() -> Values.parseSize(text))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a size with an unambiguous unit: " + binary + " (powers of 1024) or " + decimal
            + " (powers of 1000)");
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "1, 1", "1000, 1000", "1024, 1KiB", "65536, 64KiB", "1536, 1536", "1048576, 1MiB",
      "16777216, 16MiB", "1073741824, 1GiB", "2147483647, 2147483647"})
  void formatsSizesInTheLargestWholeBinaryUnit(long bytes, String text) {
    assertThat(Values.formatSize(bytes)).isEqualTo(text);
    assertThat(Values.parseSize(text)).isEqualTo(bytes);
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
