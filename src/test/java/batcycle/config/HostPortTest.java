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
}
