package batcycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import batcycle.config.BuildInfo;
import batcycle.config.ConfigException;
import batcycle.config.ConfigLoader;
import batcycle.config.Invocation;
import batcycle.lifecycle.Batcycle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @Test
  void helpPrintsUsageOnStdoutAndExitsZero() {
    int code = Main.run(new String[] {"--help"}, Map.of(), out, err);

    assertThat(code).isZero();
    assertThat(out()).contains("Usage:", "--listen", "BATCYCLE_LISTEN", "--pool-max-connections",
        "BATCYCLE_POOL_MAX_CONNECTIONS", "--config", "--version");
    assertThat(err()).isEmpty();
  }

  @Test
  void versionPrintsOnStdoutAndExitsZero() {
    int code = Main.run(new String[] {"--version"}, Map.of(), out, err);

    assertThat(code).isZero();
    assertThat(out()).startsWith("batcycle " + BuildInfo.version() + " ");
    assertThat(err()).isEmpty();
  }

  @Test
  void invalidValueExitsTwoWithOneLineNamingTheKey() {
    int code = Main.run(new String[] {"--listen", "127.0.0.1:notaport"}, Map.of(), out, err);

    assertThat(code).isEqualTo(Main.EXIT_CONFIG).isEqualTo(2);
    assertThat(errLines()).singleElement().asString()
        .startsWith("batcycle: listen: '127.0.0.1:notaport' from flag --listen (expected HOST:PORT");
    assertNoStackTrace();
    assertThat(out()).isEmpty();
  }

  @Test
  void invalidEnvironmentValueExitsTwoNamingTheVariable() {
    int code = Main.run(new String[0], Map.of("BATCYCLE_TIMEOUTS_CONNECT", "5x"), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString()
        .startsWith("batcycle: timeouts.connect: '5x' from env BATCYCLE_TIMEOUTS_CONNECT (expected a duration");
    assertNoStackTrace();
  }

  @Test
  void everyProblemGetsItsOwnLine() {
    int code = Main.run(new String[] {"--listen", "x", "--event-loops", "0"},
        Map.of("BATCYCLE_UPSTREAM", "https://app:443"), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("batcycle: "));
    assertThat(errLines()).anySatisfy(line -> assertThat(line).startsWith("batcycle: listen: "));
    assertThat(errLines()).anySatisfy(line -> assertThat(line).startsWith("batcycle: upstream: "));
    assertThat(errLines()).anySatisfy(line -> assertThat(line).startsWith("batcycle: eventLoops: "));
    assertNoStackTrace();
  }

  @Test
  void unknownFlagExitsTwoWithASuggestion() {
    int code = Main.run(new String[] {"--lisen", "127.0.0.1:0"}, Map.of(), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString().startsWith("batcycle: --lisen").contains("--listen");
    assertNoStackTrace();
  }

  @Test
  void flagMissingItsValueExitsTwo() {
    int code = Main.run(new String[] {"--admin"}, Map.of(), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString().startsWith("batcycle: ").contains("--admin");
    assertNoStackTrace();
  }

  @Test
  void unreadableConfigFileExitsTwo(@TempDir Path dir) {
    Path missing = dir.resolve("missing.yaml");

    int code = Main.run(new String[0], Map.of("BATCYCLE_CONFIG", missing.toString()), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).containsExactly("batcycle: config: cannot read '" + missing + "' (no such file)");
  }

  @Test
  void unknownFileKeyExitsTwoWithASuggestion(@TempDir Path dir) throws IOException {
    Path yaml = Files.writeString(dir.resolve("batcycle.yaml"), "timeouts:\n  conect: 1s\n");

    int code = Main.run(new String[] {"--config", yaml.toString()}, Map.of(), out, err);

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString()
        .isEqualTo("batcycle: timeouts.conect: unknown key in " + yaml + " (did you mean 'timeouts.connect'?)");
  }

  @Test
  void listenPortInUseExitsTwoNamingListen() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      int code = Main.run(new String[] {"--listen", "127.0.0.1:" + port, "--admin", "127.0.0.1:0",
          "--upstream", "http://127.0.0.1:1"}, Map.of(), out, err);

      assertThat(code).isEqualTo(2);
      assertThat(errLines()).containsExactly(
          "batcycle: listen: cannot listen on 127.0.0.1:" + port + " (address already in use)");
      assertNoStackTrace();
    }
  }

  @Test
  void adminPortInUseExitsTwoNamingAdmin() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      int code = Main.run(new String[] {"--listen", "127.0.0.1:0", "--admin", "127.0.0.1:" + port,
          "--upstream", "http://127.0.0.1:1"}, Map.of(), out, err);

      assertThat(code).isEqualTo(2);
      assertThat(errLines()).containsExactly(
          "batcycle: admin: cannot listen on 127.0.0.1:" + port + " (address already in use)");
      assertNoStackTrace();
    }
  }

  @Test
  void proxyAndAdminOnOneAddressExitTwoBeforeAnyPortOpens() throws IOException {
    // The port is held here, so that whatever happens nothing of the test keeps listening on it; the start must stop
    // on the configuration (one line naming admin), not on a failed bind.
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String address = "127.0.0.1:" + held.getLocalPort();

      int code = Main.run(new String[] {"--listen", address, "--admin", address, "--upstream", "http://127.0.0.1:1"},
          Map.of(), out, err);

      assertThat(code).isEqualTo(2);
      assertThat(errLines()).containsExactly("batcycle: admin: '" + address + "' from flag --admin (expected a port "
          + "apart from listen (" + address + "): the proxy and the admin server would share connections)");
      assertNoStackTrace();
    }
  }

  @Test
  void startFailsWithConfigExceptionWhenListenPortIsTaken() throws Exception {
    // What Main.run reports above comes from here: the failed start must also have released the admin port.
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      var config = config("--listen", "127.0.0.1:" + taken.getLocalPort(), "--admin", "127.0.0.1:0",
          "--upstream", "http://127.0.0.1:1", "--event-loops", "1");

      assertThatThrownBy(() -> await(Batcycle.start(config)))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ConfigException.class)
          .hasMessage("listen: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (address already in use)");
    }
  }

  @Test
  void startsOnEphemeralPortsServesAndCloses() throws Exception {
    // Main.run keeps a successful start running (it returns -1 and leaves the servers to the JVM), so success is
    // checked one level down, where the test owns the handle and closes it.
    var config = config("--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1",
        "--startup-hold-timeout", "0", "--event-loops", "1");
    Batcycle running = await(Batcycle.start(config));
    int proxyPort;
    int adminPort;
    try {
      proxyPort = running.proxyPort();
      adminPort = running.adminPort();
      assertThat(proxyPort).isPositive().isNotEqualTo(adminPort);
      assertThat(adminPort).isPositive();

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> health = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");

      // Nothing listens on the upstream port, so the proxy itself answers: it is up and forwarding.
      HttpResponse<String> proxied = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/anything"))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(proxied.statusCode()).isEqualTo(502);
    } finally {
      await(running.close());
    }
    assertRefused(adminPort);
    assertRefused(proxyPort);
  }

  // ---------------------------------------------------------------- helpers

  private static batcycle.config.BatcycleConfig config(String... args) {
    return ((Invocation.Run) ConfigLoader.load(args, Map.of())).config();
  }

  private static <T> T await(io.vertx.core.Future<T> future)
      throws ExecutionException, InterruptedException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void assertRefused(int port) {
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private List<String> errLines() {
    return err().lines().toList();
  }

  private void assertNoStackTrace() {
    assertThat(err()).doesNotContain("\tat ", "Exception");
  }
}
