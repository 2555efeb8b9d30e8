package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {
  @ParameterizedTest
  @ValueSource(strings = {"example.com", "example.com:8080", "10.0.0.7:80", "[::1]", "[2001:db8::7]:443", "a_b~c"})
  void acceptsPlainAuthorities(String authority) {
    assertThat(RequestTarget.validAuthority(authority)).isTrue();
  }

  // Found by fuzzing: '%' made Vert.x's authority parser throw later; Character.digit took non-ASCII digits.
  @ParameterizedTest
  @ValueSource(strings = {"a%6c", "%6x:80", "[\u06f7]", "[\uff10::1]", "user@host", "host:65536", "[::1]x", ""})
  void refusesEverythingElse(String authority) {
    assertThat(RequestTarget.validAuthority(authority)).isFalse();
  }
}
