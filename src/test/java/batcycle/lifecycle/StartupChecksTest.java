package batcycle.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupChecksTest {
  @Test
  void warnsWhenTheDrainDoesNotFitTheGracePeriod() {
    var config = BatcycleConfig.defaults().with(Map.of(Key.TERMINATION_GRACE_PERIOD, "15s"));
    assertThat(StartupChecks.warnings(config)).singleElement().asString()
        .contains("drain.delay + drain.timeout (25s) exceed terminationGracePeriod (15s)");
    assertThat(StartupChecks.warnings(BatcycleConfig.defaults().with(Map.of(Key.TERMINATION_GRACE_PERIOD, "30s"))))
        .isEmpty();
  }

  @Test
  void warnsWhenThePoolOutlivesTheAppsKeepAlive() {
    var config = BatcycleConfig.defaults().with(Map.of(Key.APP_KEEP_ALIVE_TIMEOUT, "4s"));
    assertThat(StartupChecks.warnings(config)).singleElement().asString()
        .contains("pool.idleTimeout (4s) is not below the app's keep-alive timeout (4s)");
    assertThat(StartupChecks.warnings(BatcycleConfig.defaults().with(Map.of(Key.APP_KEEP_ALIVE_TIMEOUT, "5s"))))
        .isEmpty();
  }

  @Test
  void saysNothingAboutTheDefaults() {
    assertThat(StartupChecks.warnings(BatcycleConfig.defaults())).isEmpty();
  }

  @Test
  void warnsWhenAPerTryTimeoutExceedsTheRequestTimeout() {
    var config = BatcycleConfig.defaults().with(Map.of(Key.TIMEOUTS_RESPONSE, "10s", Key.TIMEOUTS_REQUEST, "5s"));
    assertThat(StartupChecks.warnings(config)).singleElement().asString()
        .contains("timeouts.response (10s, per try) is longer than timeouts.request (5s)");
  }

  @Test
  void warnsWhenAnHttp1PoolIsSmallerThanTheConcurrencyLimit() {
    var config = BatcycleConfig.defaults().with(Map.of(Key.POOL_MAX_CONNECTIONS, "64"));
    assertThat(StartupChecks.warnings(config)).singleElement().asString()
        .contains("pool.maxConnections (64) is below limits.maxConcurrent (1024)");
    assertThat(StartupChecks.warnings(BatcycleConfig.defaults().with(Map.of(Key.POOL_MAX_CONNECTIONS, "64",
        Key.LIMITS_MAX_CONCURRENT, "64")))).isEmpty();
    assertThat(StartupChecks.warnings(BatcycleConfig.defaults().with(Map.of(Key.POOL_MAX_CONNECTIONS, "8",
        Key.UPSTREAM_PROTOCOL, "h2c")))).as("HTTP/2 multiplexes").isEmpty();
  }
}
