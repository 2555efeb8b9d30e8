package batcycle;

import static org.assertj.core.api.Assertions.assertThat;
import static java.util.concurrent.TimeUnit.SECONDS;

import batcycle.config.BuildInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real entry point in a child JVM: exit codes and what an operator sees, without a jar. */
class MainProcessTest {
  @TempDir
  Path dir;

  @Test
  void invalidValueExitsTwoWithOneLineAndNoStackTrace() throws Exception {
    Result result = runMain("--listen", "127.0.0.1:notaport");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr().lines()).singleElement().asString()
        .startsWith("batcycle: listen: '127.0.0.1:notaport' from flag --listen (expected HOST:PORT");
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stdout() + result.stderr()).doesNotContain("\tat ", "Exception");
  }

  @Test
  void versionExitsZero() throws Exception {
    Result result = runMain("--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).startsWith("batcycle " + BuildInfo.version() + " ");
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void helpPrintsNoWarning() throws Exception {
    Result result = runMain("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains("Usage:", "--retry-budget-ratio", "(0.2 = 20 %)", "Commands:", "check",
        "inject  Add batcycle to Kubernetes YAML: inject FILE... (see inject --help).");
    assertThat(result.stderr()).as("picocli formats help text: a lone '%' made it warn three times").isEmpty();
  }

  @Test
  void helpVersionCheckAndInjectLoadNeitherLoggingNorVertxNorNetty() throws Exception {
    // What made them slow: logback configured itself (and Netty would pick it up) before a word was printed.
    Path yaml = Files.writeString(dir.resolve("small.yaml"), "listen: 127.0.0.1:8000\ntimeouts:\n  connect: 1s\n");
    for (List<String> args : List.of(List.of("--help"), List.of("--version"), List.of("check", "--config",
        yaml.toString()), List.of("check", "--listen", "127.0.0.1:9000", "--admin", "0.0.0.0:9000"),
        List.of("inject", "--help"), List.of("inject", "src/test/resources/batcycle/inject/seed.yaml"))) {
      Path classes = dir.resolve("classes.log");
      Result result = runMain(List.of("-Xlog:class+load=info:file=" + classes), args.toArray(String[]::new));

      assertThat(result.exitCode()).as("%s: %s", args, result.stderr()).isIn(0, 2);
      List<String> loaded = Files.readAllLines(classes);
      assertThat(loaded).as("%s loads batcycle", args).anyMatch(line -> line.contains(" batcycle.Main "));
      assertThat(loaded).as("%s", args).noneMatch(line -> line.contains(" io.netty.") || line.contains(" io.vertx.")
          || line.contains(" ch.qos.logback.") || line.contains(" org.slf4j."));
    }
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result runMain(String... args) throws IOException, InterruptedException {
    return runMain(List.of(), args);
  }

  private Result runMain(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "batcycle.Main"));
    command.addAll(List.of(args));
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    // The child must see only our arguments: no BATCYCLE_* from the build machine, and no JVM option variables,
    // which make the launcher print "Picked up ..." on stderr.
    builder.environment().keySet().removeIf(name -> name.startsWith("BATCYCLE_"));
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
    Process process = builder.start();
    process.getOutputStream().close(); // no stdin
    try {
      assertThat(process.waitFor(30, SECONDS)).as("child JVM finished within 30 s").isTrue();
    } finally {
      process.destroyForcibly();
    }
    return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }
}
