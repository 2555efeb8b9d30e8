package batcycle.admin;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigAccess;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may call the state-changing admin endpoints ({@code POST /drain}, {@code /quitquitquit}, {@code GET
 * /prestop}) and read {@code /config}: only loopback (for {@code /config}, unless {@code configAccess: any}). The
 * integration tests can only call from 127.0.0.1, so the refusals are tested here, on the address policy itself.
 */
class AdminAddressPolicyTest {
  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.53", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1"})
  void acceptsLoopback(String address) {
    assertThat(AdminServer.isLoopback(SocketAddress.inetSocketAddress(40000, address))).as(address).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.7", "192.168.1.20", "172.17.0.1", "100.64.0.1", "0.0.0.0", "::",
      "169.254.169.254", "128.0.0.1", "126.255.255.255", "fe80::1", "2001:db8::1", "::ffff:10.0.0.7",
      "fd00::1"})
  void refusesEverythingElse(String address) {
    assertThat(AdminServer.isLoopback(SocketAddress.inetSocketAddress(40000, address))).as(address).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.7", "192.168.1.20", "172.17.0.1", "fd00::1", "::ffff:10.0.0.7"})
  void configIsReadableFromThePodNetworkOnlyWhenOpenedOnPurpose(String address) {
    SocketAddress from = SocketAddress.inetSocketAddress(40000, address);

    assertThat(AdminServer.mayRead("/config", BatcycleConfig.defaults().configAccess(), from)).as(address).isFalse();
    assertThat(AdminServer.mayRead("/config", ConfigAccess.LOOPBACK, from)).as(address).isFalse();
    assertThat(AdminServer.mayRead("/config", ConfigAccess.ANY, from)).as(address).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/metrics", "/healthz", "/readyz", "/", "/stats.json", "/index.html", "/nothing-here"})
  void everythingElseStaysReadableFromThePodNetworkForPrometheusAndTheKubelet(String path) {
    SocketAddress from = SocketAddress.inetSocketAddress(40000, "10.0.0.7");

    assertThat(AdminServer.mayRead(path, ConfigAccess.LOOPBACK, from)).as(path).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void configIsReadableFromLoopbackEitherWay(String address) {
    SocketAddress from = SocketAddress.inetSocketAddress(40000, address);

    assertThat(AdminServer.mayRead("/config", ConfigAccess.LOOPBACK, from)).isTrue();
    assertThat(AdminServer.mayRead("/config", ConfigAccess.ANY, from)).isTrue();
  }

  @Test
  void refusesWhatIsNotAnIpAddress() {
    assertThat(AdminServer.isLoopback(null)).isFalse();
    assertThat(AdminServer.isLoopback(SocketAddress.domainSocketAddress("/tmp/admin.sock"))).isFalse();
  }
}
