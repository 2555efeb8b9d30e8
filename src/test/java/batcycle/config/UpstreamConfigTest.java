package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamConfigTest {
  @Test
  void displayUrlDropsUserinfoSoTheStartupLogNeverShowsAPassword() {
    UpstreamConfig upstream = BatcycleConfig.defaults()
        .with(Map.of(Key.UPSTREAM, "http://user:secret@127.0.0.1:8081")).upstream();

    assertThat(upstream.displayUrl()).isEqualTo("http://127.0.0.1:8081");
    assertThat(BatcycleConfig.defaults().upstream().displayUrl()).isEqualTo("http://127.0.0.1:8080");
  }
}
