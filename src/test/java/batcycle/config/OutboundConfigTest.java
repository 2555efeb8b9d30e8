package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbound entries as a user writes them: the YAML list, the compact flag form, and their validation. */
class OutboundConfigTest {
  @TempDir
  Path dir;

  @Test
  void yamlEntriesTakeTheInboundValuesExceptWhereTheySetTheirOwn() throws IOException {
    BatcycleConfig config = load(Map.of(), """
        timeouts:
          response: 7s
        retry:
          maxAttempts: 4
        outbound:
          - name: payments
            listen: 127.0.0.1:9001
            upstream: https://payments.example:443
            timeouts: {response: 2s}
            tls: {serverName: api.payments.example}
            headers: {host: pay.example, via: true}
          - name: logs
            listen: 9002
            upstream: [http://10.0.0.1:3100, http://10.0.0.2:3100]
            balancer: power_of_two
        """);

    assertThat(config.outbound()).hasSize(2);
    OutboundConfig payments = config.outbound().get(0);
    assertThat(payments.name()).isEqualTo("payments");
    assertThat(payments.listen()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(payments.upstreams()).containsExactly(URI.create("https://payments.example:443"));
    assertThat(payments.secure()).isTrue();
    assertThat(payments.settings().timeouts().response()).isEqualTo(Duration.ofSeconds(2));
    assertThat(payments.settings().retry().maxAttempts()).isEqualTo(4);
    assertThat(payments.settings().headers().via()).isTrue();
    assertThat(payments.settings().listener().address()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(payments.tls().serverName()).isEqualTo("api.payments.example");
    assertThat(payments.headers().host()).isEqualTo("pay.example");
    assertThat(payments.own()).containsOnlyKeys(Key.TIMEOUTS_RESPONSE, Key.OUTBOUND_TLS_SERVER_NAME,
        Key.OUTBOUND_HEADERS_HOST, Key.HEADERS_VIA);
    OutboundConfig logs = config.outbound().get(1);
    assertThat(logs.listen()).as("a bare port is loopback").isEqualTo(new HostPort("127.0.0.1", 9002));
    assertThat(logs.upstreams()).hasSize(2);
    assertThat(logs.routing().balancer()).isEqualTo(Balancer.POWER_OF_TWO);
    assertThat(logs.settings().timeouts().response()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.timeouts().response()).as("inbound unchanged").isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void theCompactFlagFormNamesOneRemoteAndFlagsForEntrySettingsApplyToEveryEntry() {
    BatcycleConfig config = ConfigLoader.fromValues(Map.of(Key.OUTBOUND, "payments=:9001=https://payments.example",
        Key.OUTBOUND_PROTOCOL, "http1"), Map.of(), Map.of(), java.util.Optional.empty());

    OutboundConfig payments = config.outbound().get(0);
    assertThat(payments.listen()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(payments.upstreams()).containsExactly(URI.create("https://payments.example"));
    assertThat(payments.routing().protocol()).isEqualTo(OutboundProtocol.HTTP1);
    assertThat(OutboundEntry.port(payments.upstreams().get(0))).isEqualTo(443);
    assertThat(OutboundEntry.authority(payments.upstreams().get(0))).isEqualTo("payments.example");
  }

  @Test
  void everyProblemNamesTheEntryAndTheKeyAsWrittenInIt() {
    assertThatThrownBy(() -> load(Map.of(), """
        outbound:
          - name: payments
            listen: 127.0.0.1:9001
            upstream: ftp://payments.example
          - name: logs
            listen: 127.0.0.1:9002
            upstream: http://logs:3100
            retry: {maxAttempts: 0}
            tls: {caFile: /no/such/ca.pem}
            timeout: {response: 1s}
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "outbound[payments].upstream: 'ftp://payments.example' in " + dir.resolve("b.yaml")
                + " (expected an http:// or https:// URL with a host and no path, such as https://payments.example)",
            "outbound[logs].timeout: unknown key in an outbound entry in " + dir.resolve("b.yaml")
                + " (did you mean 'timeouts'?)",
            "outbound[logs].retry.maxAttempts: '0' from file " + dir.resolve("b.yaml")
                + " (expected a whole number in 1..10)",
            "outbound[logs].tls.caFile: '/no/such/ca.pem' from file " + dir.resolve("b.yaml")
                + " (expected a readable file)"));
  }

  @Test
  void anEntryMayNotListenWhereTheProxyTheAdminServerOrAnotherEntryListens() {
    assertThatThrownBy(() -> load(Map.of(Key.LISTEN, "127.0.0.1:9001"), """
        outbound:
          - {name: a, listen: "127.0.0.1:9001", upstream: "http://10.0.0.1"}
        """)).hasMessageContaining("a listen address of its own for entry a (127.0.0.1:9001 is also listen");
    assertThatThrownBy(() -> load(Map.of(), """
        outbound:
          - {name: a, listen: "127.0.0.1:9001", upstream: "http://10.0.0.1"}
          - {name: b, listen: "0.0.0.0:9001", upstream: "http://10.0.0.2"}
        """)).hasMessageContaining("a listen address of its own for entry b (0.0.0.0:9001 is also entry a)");
    assertThatThrownBy(() -> ConfigLoader.fromValues(Map.of(Key.OUTBOUND, "a=:1=http://x,a=:2=http://y"), Map.of(),
        Map.of(), java.util.Optional.empty())).hasMessageContaining("each entry named once (a is used twice)");
  }

  @Test
  void aClientCertificateNeedsItsKey() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not checked here");
    assertThatThrownBy(() -> ConfigLoader.fromValues(Map.of(Key.OUTBOUND, "a=:9001=https://x",
        Key.OUTBOUND_TLS_CERT_FILE, cert.toString()), Map.of(), Map.of(), java.util.Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("outbound.tls.keyFile: '' from default (expected both outbound.tls.certFile and "
            + "outbound.tls.keyFile, or neither)");
  }

  @Test
  void demoAddsItsOwnEntryOnlyWhenNoneIsConfigured() {
    BatcycleConfig demo = BatcycleConfig.defaults().with(Map.of(Key.DEMO, "true"));
    assertThat(demo.outbound()).extracting(OutboundConfig::name).containsExactly("remote");
    assertThat(demo.sources().get(Key.OUTBOUND).source()).isEqualTo("default with --demo");

    BatcycleConfig own = BatcycleConfig.defaults().with(Map.of(Key.DEMO, "true", Key.OUTBOUND, "x=:9005=http://a"));
    assertThat(own.outbound()).extracting(OutboundConfig::name).containsExactly("x");
  }

  @Test
  void withKeepsTheEntriesOwnSettings() throws IOException {
    BatcycleConfig config = load(Map.of(), """
        outbound:
          - {name: a, listen: "127.0.0.1:9001", upstream: "http://10.0.0.1", retry: {maxAttempts: 1}}
        """);
    BatcycleConfig changed = config.with(Map.of(Key.ADMIN, "127.0.0.1:0"));

    assertThat(changed.outbound().get(0).settings().retry().maxAttempts()).isEqualTo(1);
    assertThat(ConfigReport.text(changed)).contains("outbound entry a: 127.0.0.1:9001 -> http://10.0.0.1")
        .contains("  retry.maxAttempts");
  }

  @Test
  void entryUrlsMustShareTheirScheme() {
    assertThat(List.of(OutboundEntry.parse("a=:1=http://x|http://y").upstreams())).hasSize(1);
    assertThatThrownBy(() -> ConfigLoader.fromValues(Map.of(Key.OUTBOUND, "a=:9001=http://x|https://y"), Map.of(),
        Map.of(), java.util.Optional.empty())).hasMessageContaining("one scheme for all of an entry's URLs");
  }

  private BatcycleConfig load(Map<Key, String> flags, String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve("b.yaml"), yaml);
    List<String> problems = new java.util.ArrayList<>();
    Map<String, Map<Key, String>> entries = new java.util.LinkedHashMap<>();
    Map<Key, String> values = YamlFile.read(file, problems, entries);
    BatcycleConfig config = null;
    try {
      config = ConfigLoader.fromValues(flags, Map.of(), values, entries, java.util.Optional.of(file));
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }
}
