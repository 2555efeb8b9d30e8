package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyTest {

  @ParameterizedTest
  @CsvSource({
      "LISTEN, --listen, BATCYCLE_LISTEN",
      "UPSTREAM_PROTOCOL, --upstream-protocol, BATCYCLE_UPSTREAM_PROTOCOL",
      "EVENT_LOOPS, --event-loops, BATCYCLE_EVENT_LOOPS",
      "POOL_MAX_CONNECTIONS, --pool-max-connections, BATCYCLE_POOL_MAX_CONNECTIONS",
      "TIMEOUTS_UPSTREAM_IDLE, --timeouts-upstream-idle, BATCYCLE_TIMEOUTS_UPSTREAM_IDLE",
      "LIMITS_MAX_HEADER_SIZE, --limits-max-header-size, BATCYCLE_LIMITS_MAX_HEADER_SIZE",
      "HEADERS_PRESERVE_HOST, --headers-preserve-host, BATCYCLE_HEADERS_PRESERVE_HOST",
      "DEMO, --demo, BATCYCLE_DEMO"})
  void flagAndEnvironmentNameAreDerivedFromThePath(Key key, String flag, String env) {
    assertThat(key.flag()).isEqualTo(flag);
    assertThat(key.envName()).isEqualTo(env);
  }

  @Test
  void enumNameMatchesTheEnvironmentName() {
    for (Key key : Key.values()) {
      assertThat(key.envName()).isEqualTo("BATCYCLE_" + key.name());
    }
  }

  @Test
  void noTwoKeysSharePathFlagOrEnvironmentName() {
    List<Key> keys = Arrays.asList(Key.values());

    assertThat(keys).extracting(Key::path).doesNotHaveDuplicates();
    assertThat(keys).extracting(Key::flag).doesNotHaveDuplicates()
        .doesNotContain("--config", "--help", "--version");
    assertThat(keys).extracting(Key::envName).doesNotHaveDuplicates()
        .doesNotContain("BATCYCLE_CONFIG", "BATCYCLE_LOG_LEVEL");
  }

  @Test
  void namesAreWellFormed() {
    for (Key key : Key.values()) {
      assertThat(key.path()).matches("[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9]*)*");
      assertThat(key.flag()).matches("--[a-z0-9]+(-[a-z0-9]+)*");
      assertThat(key.envName()).matches("BATCYCLE_[A-Z0-9]+(_[A-Z0-9]+)*");
      assertThat(key.description()).isNotBlank().endsWith(".");
    }
  }

  @Test
  void noPathIsAlsoASection() {
    // A key like "pool" next to "pool.maxConnections" would make the YAML ambiguous. The one exception is outbound:
    // its YAML value is the list of entries, and the outbound.* keys are written inside each entry.
    for (Key key : Key.values()) {
      if (key != Key.OUTBOUND) {
        assertThat(Key.values()).noneMatch(other -> other.path().startsWith(key.path() + "."));
      }
    }
  }

  @Test
  void byPathFindsEveryKeyAndNothingElse() {
    for (Key key : Key.values()) {
      assertThat(Key.byPath(key.path())).contains(key);
    }
    assertThat(Key.byPath("pool")).isEmpty();
    assertThat(Key.byPath("Listen")).isEmpty();
    assertThat(Key.byPath("pool.max_connections")).isEmpty();
  }

  @Test
  void booleanKeysDefaultToTrueOrFalse() {
    for (Key key : Key.values()) {
      if (key.isBoolean()) {
        assertThat(key.defaultValue()).as(key.path()).isIn("true", "false");
      }
    }
    assertThat(Key.DEMO.isBoolean()).isTrue();
    assertThat(Key.LISTEN.isBoolean()).isFalse();
  }
}
