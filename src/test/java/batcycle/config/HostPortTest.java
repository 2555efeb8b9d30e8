package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest
  @CsvSource({
      "0.0.0.0:8000, 0.0.0.0, 8000",
      "127.0.0.1:0, 127.0.0.1, 0",
      "localhost:65535, localhost, 65535",
      ":8000, 0.0.0.0, 8000",
      "[::1]:8000, ::1, 8000",
      "[::]:9901, ::, 9901",
      "' 127.0.0.1:80 ', 127.0.0.1, 80"})
  void parsesHostAndPort(String text, String host, int port) {
    assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "8000", "", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536", "127.0.0.1:-1",
      "::1", "::1:8000", "[::1]"})
  void rejectsMalformedAddresses(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void printsIpv6InBrackets() {
    assertThat(new HostPort("::1", 8000)).hasToString("[::1]:8000");
    assertThat(new HostPort("0.0.0.0", 8000)).hasToString("0.0.0.0:8000");
    assertThat(HostPort.parse(new HostPort("::1", 8000).toString())).isEqualTo(new HostPort("::1", 8000));
  }

  @Test
  void constructorRejectsBlankHostAndBadPort() {
    assertThatThrownBy(() -> new HostPort(" ", 80)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HostPort("h", 70000)).hasMessageContaining("70000");
  }

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
      "127.0.0.1:9000, 127.0.0.1:9000, true",
      "0.0.0.0:9000, 127.0.0.1:9000, true",
      ":9000, 10.0.0.7:9000, true",
      "[::]:9000, 127.0.0.1:9000, true",
      "[::]:9000, [::1]:9000, true",
      "[::]:9000, 0.0.0.0:9000, true",
      "[::]:9000, localhost:9000, true",
      "[0:0:0:0:0:0:0:0]:9000, [::]:9000, true",
      "0.0.0.0:9000, localhost:9000, true",
      "localhost:9000, LOCALHOST:9000, true",
      "[::ffff:127.0.0.1]:9000, 127.0.0.1:9000, true",
      "[::1]:9000, [0:0:0:0:0:0:0:1]:9000, true",
      "127.0.0.1:9000, 127.0.0.1:9001, false",
      "127.0.0.1:9000, 127.0.0.2:9000, false",
      "0.0.0.0:9000, 0.0.0.0:9001, false",
      // An IPv4 wildcard takes no IPv6 address.
      "0.0.0.0:9000, [::1]:9000, false",
      // Port 0: the system picks a different free port for each.
      "127.0.0.1:0, 127.0.0.1:0, false",
      "0.0.0.0:0, [::]:0, false",
      // Telling these apart would need a name lookup; binding the second then fails with 'address in use'.
      "localhost:9000, 127.0.0.1:9000, false",
      "app:9000, other:9000, false"})
  void overlapsWhenOneServerWouldTakeTheOthersConnections(String a, String b, boolean overlap) {
    assertThat(HostPort.parse(a).overlaps(HostPort.parse(b))).isEqualTo(overlap);
    assertThat(HostPort.parse(b).overlaps(HostPort.parse(a))).isEqualTo(overlap);
  }
}
