package batcycle;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BuildInfo;
import batcycle.config.Key;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code batcycle check}: validates and prints the configuration in-process, never starting anything. */
class CheckCommandTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @Test
  void validFileExitsZeroListingEveryKeyWithValueAndSource(@TempDir Path dir) throws IOException {
    Path yaml = Files.writeString(dir.resolve("batcycle.yaml"), """
        upstream: http://user:pass@127.0.0.1:8081
        timeouts:
          connect: 1500ms
        """);

    int code = Main.run(new String[] {"check", "--config", yaml.toString(), "--pool-max-connections", "16"},
        Map.of("BATCYCLE_TIMEOUTS_CONNECT", "3s", "BATCYCLE_DRAIN_DELAY", "2s", "BATCYCLE_LIMITS_MAX_CONCURRENT", "16"),
        out, err);

    assertThat(code).isZero();
    assertThat(err()).isEmpty();
    assertThat(outLines().get(0)).isEqualTo("batcycle " + BuildInfo.version()
        + ": the configuration is valid (file " + yaml + ")");
    assertThat(outLines()).anySatisfy(line -> assertThat(line).matches("KEY +VALUE +SOURCE"));
    for (Key key : Key.values()) {
      assertThat(outLines()).as(key.path()).anySatisfy(line -> assertThat(line).startsWith(key.path() + " "));
    }
    assertThat(row("upstream")).isEqualTo(List.of("upstream", "http://[redacted]@127.0.0.1:8081", "file " + yaml));
    // Precedence as at start-up: flag over environment over file over default.
    assertThat(row("pool.maxConnections")).isEqualTo(List.of("pool.maxConnections", "16",
        "flag --pool-max-connections"));
    assertThat(row("timeouts.connect")).isEqualTo(List.of("timeouts.connect", "3s", "env BATCYCLE_TIMEOUTS_CONNECT"));
    assertThat(row("drain.delay")).isEqualTo(List.of("drain.delay", "2s", "env BATCYCLE_DRAIN_DELAY"));
    assertThat(row("listen")).isEqualTo(List.of("listen", "0.0.0.0:8000", "default"));
    assertThat(row("eventLoops").get(1)).endsWith("(number of cores)");
    assertThat(out()).doesNotContain("pass@", "user:");
  }

  @Test
  void fileWithTwoBadKeysExitsTwoWithOneLineEach(@TempDir Path dir) throws IOException {
    Path yaml = Files.writeString(dir.resolve("bad.yaml"), """
        timeouts:
          connect: 5x
        pool:
          maxConnections: 0
        """);

    int code = Main.run(new String[] {"check", "--config", yaml.toString()}, Map.of(), out, err);

    assertThat(code).isEqualTo(Main.EXIT_CONFIG);
    assertThat(out()).isEmpty();
    assertThat(errLines()).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("batcycle: "));
    assertThat(errLines()).anySatisfy(line ->
        assertThat(line).startsWith("batcycle: timeouts.connect: '5x' from file " + yaml));
    assertThat(errLines()).anySatisfy(line ->
        assertThat(line).startsWith("batcycle: pool.maxConnections: '0' from file " + yaml));
    assertThat(err()).doesNotContain("\tat ", "Exception");
  }

  @Test
  void unknownKeysAndBadFlagsAreProblemsToo(@TempDir Path dir) throws IOException {
    Path yaml = Files.writeString(dir.resolve("typo.yaml"), "timeouts:\n  conect: 1s\n");

    int code = Main.run(new String[] {"check", "--config", yaml.toString(), "--listen", "nope"}, Map.of(), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).hasSize(2)
        .contains("batcycle: timeouts.conect: unknown key in " + yaml + " (did you mean 'timeouts.connect'?)")
        .anySatisfy(line -> assertThat(line).startsWith("batcycle: listen: 'nope' from flag --listen"));
  }

  @Test
  void opensNoPortSoItPassesWhileTheAddressesAreTaken() throws IOException {
    try (ServerSocket proxyPort = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
         ServerSocket adminPort = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String listen = "127.0.0.1:" + proxyPort.getLocalPort();
      String admin = "127.0.0.1:" + adminPort.getLocalPort();

      int code = Main.run(new String[] {"check", "--listen", listen, "--admin", admin}, Map.of(), out, err);

      assertThat(code).as("a start would fail with 'address already in use'; check binds nothing").isZero();
      assertThat(row("listen")).isEqualTo(List.of("listen", listen, "flag --listen"));
      assertThat(row("admin")).isEqualTo(List.of("admin", admin, "flag --admin"));
      assertThat(err()).isEmpty();
    }
  }

  @Test
  void proxyAndAdminOnTheSamePortExitTwoWithOneLine() {
    int code = Main.run(new String[] {"check", "--listen", "0.0.0.0:9000", "--admin", "127.0.0.1:9000"}, Map.of(),
        out, err);

    assertThat(code).isEqualTo(Main.EXIT_CONFIG);
    assertThat(out()).isEmpty();
    assertThat(errLines()).singleElement().asString()
        .startsWith("batcycle: admin: '127.0.0.1:9000' from flag --admin (expected a port apart from listen");
  }

  @Test
  void readsTheTlsFilesAndRefusesAKeyOfAnotherCertificate(@TempDir Path dir) {
    batcycle.testing.TestCertificates ca = batcycle.testing.TestCertificates.newCa("check CA");
    ca.server("one.test", java.time.Duration.ofDays(1)).writeTo(dir.resolve("one"), false);
    ca.server("two.test", java.time.Duration.ofDays(1)).writeTo(dir.resolve("two"), true);
    String[] good = {"check", "--tls-cert-file", dir.resolve("one/tls.crt").toString(), "--tls-key-file",
        dir.resolve("one/tls.key").toString()};
    assertThat(Main.run(good, Map.of(), out, err)).isZero();

    String[] mixed = {"check", "--tls-cert-file", dir.resolve("one/tls.crt").toString(), "--tls-key-file",
        dir.resolve("two/tls.key").toString()};
    assertThat(Main.run(mixed, Map.of(), out, err)).isEqualTo(Main.EXIT_CONFIG);
    assertThat(errLines()).singleElement().asString().startsWith("batcycle: tls.keyFile: ")
        .contains("does not belong to the first certificate");
  }

  @Test
  void optionsBeforeTheCommandCountToo() {
    int code = Main.run(new String[] {"--listen", "127.0.0.1:9000", "check"}, Map.of(), out, err);

    assertThat(code).isZero();
    assertThat(row("listen")).isEqualTo(List.of("listen", "127.0.0.1:9000", "flag --listen"));
  }

  @Test
  void warnsAboutSettingsThatFightEachOtherButStillPasses() {
    int code = Main.run(new String[] {"check", "--termination-grace-period", "10s"}, Map.of(), out, err);

    assertThat(code).isZero();
    assertThat(errLines()).singleElement().asString()
        .startsWith("batcycle: warning: drain.delay + drain.timeout (25s) exceed terminationGracePeriod (10s)");
  }

  @Test
  void helpDescribesTheCommand() {
    assertThat(Main.run(new String[] {"check", "--help"}, Map.of(), out, err)).isZero();
    assertThat(out()).contains("Usage: java -jar batcycle.jar check", "no port is opened", "--config", "--listen");

    outBytes.reset();
    assertThat(Main.run(new String[] {"--help"}, Map.of(), out, err)).isZero();
    assertThat(out()).contains("Commands:", "check");
  }

  private List<String> row(String key) {
    return outLines().stream().filter(line -> line.startsWith(key + " ")).findFirst()
        .map(line -> List.of(line.trim().split(" {2,}")))
        .orElseThrow(() -> new AssertionError("no line for " + key + " in:\n" + out()));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private List<String> outLines() {
    return out().lines().toList();
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private List<String> errLines() {
    return err().lines().toList();
  }
}
