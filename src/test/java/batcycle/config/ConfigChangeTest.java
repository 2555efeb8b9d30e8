package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a reload applies, what waits for a restart, and what is no change at all. */
class ConfigChangeTest {
  private final BatcycleConfig running = BatcycleConfig.defaults();

  @Test
  void theSameValueWrittenDifferentlyIsNoChange() {
    ConfigChange change = ConfigChange.between(running,
        running.with(Map.of(Key.TIMEOUTS_CONNECT, "2000ms", Key.RETRY_MAX_REPLAY_BYTES, "65536")));
    assertThat(change.isEmpty()).isTrue();
    assertThat(change.inForce()).isSameAs(running);
  }

  @Test
  void liveKeysApplyAndRestartOnlyKeysKeepTheirRunningValue() {
    ConfigChange change = ConfigChange.between(running,
        running.with(Map.of(Key.RETRY_MAX_ATTEMPTS, "2", Key.LISTEN, "0.0.0.0:9000", Key.POOL_MAX_CONNECTIONS, "8")));
    assertThat(change.applied()).containsExactly(Key.RETRY_MAX_ATTEMPTS);
    assertThat(change.needRestart()).containsExactly(Key.LISTEN, Key.POOL_MAX_CONNECTIONS);
    assertThat(change.inForce().retry().maxAttempts()).isEqualTo(2);
    assertThat(change.inForce().listen().port()).isEqualTo(8000);
    assertThat(change.inForce().pool().maxConnections()).isEmpty(); // as started: following limits.maxConcurrent
    assertThat(change.candidate().pool().maxConnections()).contains(8);
  }

  @Test
  void theHashFollowsTheValuesNotTheirSources() {
    long hash = ConfigChange.hash(running);
    assertThat(ConfigChange.hash(BatcycleConfig.defaults())).isEqualTo(hash);
    assertThat(ConfigChange.hash(running.with(Map.of(Key.HEADERS_VIA, "true")))).isNotEqualTo(hash);
    assertThat(ConfigChange.hashText(hash)).hasSize(12);
    assertThat(hash).isLessThan(1L << 48);
  }

  @Test
  void everyKeyIsEitherLiveOrRestartOnlyAndTheListenerIsRestartOnly() {
    assertThat(ConfigChange.appliesLive(Key.LISTEN)).isFalse();
    assertThat(ConfigChange.appliesLive(Key.TLS_CERT_FILE)).isFalse();
    assertThat(ConfigChange.appliesLive(Key.TIMEOUTS_RESPONSE)).isTrue();
    assertThat(ConfigChange.appliesLive(Key.HEADERS_CLIENT_CERT_HEADER)).isTrue();
  }
}
