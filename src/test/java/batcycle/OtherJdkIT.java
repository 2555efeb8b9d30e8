package batcycle;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.RecordingOrigin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * batcycle is built for Java 17 but must run on newer JDKs too: this starts it on every other JDK installed under
 * /usr/lib/jvm (Temurin 25 on the project machines) and proxies a request through it.
 */
class OtherJdkIT {
  private static final Pattern LISTENING = Pattern.compile("proxying 127\\.0\\.0\\.1:(\\d+) ");

  static List<Path> otherJdks() throws IOException {
    Path current = Path.of(System.getProperty("java.home")).toRealPath();
    Path root = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> homes = Files.list(root)) {
      return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .map(home -> {
            try {
              return home.toRealPath();
            } catch (IOException e) {
              return home;
            }
          })
          .filter(home -> !home.equals(current))
          .distinct()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("jdksOrNone")
  void startsAndProxiesOnAnotherJdk(Path javaHome) throws Exception {
    Assumptions.assumeTrue(javaHome != null, "no JDK other than the build JDK is installed under /usr/lib/jvm");
    try (RecordingOrigin origin = RecordingOrigin.start()) {
      Process process = new ProcessBuilder(javaHome.resolve("bin/java").toString(), "-Xmx64m",
          "-cp", System.getProperty("java.class.path"), "batcycle.Main",
          "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--event-loops", "1",
          "--upstream", "http://127.0.0.1:" + origin.port())
          .redirectErrorStream(true).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        int port = CompletableFuture.supplyAsync(() -> awaitPort(out)).get(60, TimeUnit.SECONDS);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jdk")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(origin.last().uri()).isEqualTo("/jdk");
      } finally {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  static Stream<Path> jdksOrNone() throws IOException {
    List<Path> jdks = otherJdks();
    return jdks.isEmpty() ? Stream.of((Path) null) : jdks.stream();
  }

  private static int awaitPort(BufferedReader out) {
    try {
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        seen.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      throw new AssertionError("batcycle exited before listening:\n" + seen);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
