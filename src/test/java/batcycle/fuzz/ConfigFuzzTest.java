package batcycle.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import batcycle.Main;
import batcycle.MainFuzzEntry;
import batcycle.config.BatcycleConfig;
import batcycle.config.ConfigException;
import batcycle.config.ConfigFuzzEntry;
import batcycle.config.ConfigLoader;
import batcycle.config.ConfigReport;
import batcycle.config.HostPort;
import batcycle.config.Invocation;
import batcycle.config.Key;
import batcycle.config.Redaction;
import batcycle.config.UpstreamConfig;
import batcycle.config.UpstreamProtocol;
import batcycle.config.Values;
import batcycle.metrics.RouteMatcher;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Configuration under arbitrary input (YAML file, flags, environment, single values): a start either gets a valid,
 * immutable configuration or takes the clean "configuration problems" path — {@code batcycle check} exits 2 and
 * prints one line per problem, each naming what to fix. Any other exception, or a hang, is a finding.
 */
class ConfigFuzzTest {
  private static final String CONFIG_ENV = "BATCYCLE_CONFIG";
  private static final Duration LONGEST = Duration.ofHours(24);

  /** The input is the file's bytes, so invalid UTF-8 and YAML oddities (anchors, tags, nesting) are covered. */
  @FuzzTest
  @DictionaryFile(resourcePath = "config.dict")
  void yamlFileEndsInConfigOrProblems(byte[] yaml) throws IOException {
    Path file = Files.createTempFile("batcycle-fuzz-", ".yaml");
    try {
      Files.write(file, yaml);
      assertConfigOrProblems(new String[0], Map.of(CONFIG_ENV, file.toString()));
    } finally {
      Files.delete(file);
    }
  }

  /**
   * One argument or variable per line: {@code NAME=value} with a name not starting with '-' is an environment
   * variable, any other line an argument. Seeds stay readable and mutations stay close to real command lines.
   */
  @FuzzTest
  @DictionaryFile(resourcePath = "config.dict")
  void flagsAndEnvironmentEndInConfigOrProblems(byte[] input) {
    List<String> args = new ArrayList<>();
    Map<String, String> env = new HashMap<>();
    for (String line : new String(input, UTF_8).split("\n", -1)) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("-")) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (usableArgument(line)) {
        args.add(line);
      }
    }
    env.remove(CONFIG_ENV); // a path from fuzz data could name /dev/stdin; the YAML target covers files
    assertConfigOrProblems(args.toArray(String[]::new), env);
  }

  /** Every value parser on the same text: a value within its contract, or an IllegalArgumentException saying why. */
  @FuzzTest
  @DictionaryFile(resourcePath = "config.dict")
  void valueParsersReturnAValueOrSayWhatTheyExpected(byte[] input) {
    String text = new String(input, UTF_8);

    Duration duration = parsed(() -> ConfigFuzzEntry.duration(text));
    if (duration != null) {
      assertThat(duration.isNegative()).isFalse();
      assertThat(duration).isLessThanOrEqualTo(LONGEST);
      assertThat(ConfigFuzzEntry.duration(Values.format(duration))).isEqualTo(duration); // as /config shows it
    }
    Long size = parsed(() -> ConfigFuzzEntry.size(text));
    if (size != null) {
      assertThat(size).isNotNegative();
    }
    Integer port = parsed(() -> ConfigFuzzEntry.integer(text, 0, 65535));
    if (port != null) {
      assertThat(port).isBetween(0, 65535).isEqualTo(Integer.parseInt(text.trim()));
    }
    parsed(() -> ConfigFuzzEntry.bool(text));
    HostPort direct = parsed(() -> HostPort.parse(text));
    if (direct != null) {
      assertThat(direct.host()).isNotBlank();
      assertThat(direct.port()).isBetween(0, 65535);
      assertThat(HostPort.parse(direct.toString())).isEqualTo(direct); // what logs print reads back the same
    }

    var hostPort = ConfigFuzzEntry.hostPort(text);
    assertOneProblemOrValue(Key.LISTEN, hostPort);
    if (hostPort.problems().isEmpty()) {
      assertThat(hostPort.value()).isEqualTo(direct);
    }
    var ratio = ConfigFuzzEntry.ratio(text);
    assertOneProblemOrValue(Key.ACCESS_LOG_SAMPLE_SUCCESS, ratio);
    assertThat(ratio.value()).isBetween(0.0, 1.0);
    var list = ConfigFuzzEntry.list(text);
    assertThat(list.problems()).isEmpty();
    assertThat(list.value()).allSatisfy(item -> assertThat(item).isNotBlank().isEqualTo(item.trim())
        .doesNotContain(","));
    var statuses = ConfigFuzzEntry.statuses(text);
    assertOneProblemOrValue(Key.RETRY_STATUSES, statuses);
    assertThat(statuses.value()).allSatisfy(status -> assertThat(status).isBetween(400, 599));
    var buckets = ConfigFuzzEntry.durations(text);
    assertOneProblemOrValue(Key.METRICS_LATENCY_BUCKETS, buckets);
    for (int i = 0; i < buckets.value().size(); i++) {
      assertThat(buckets.value().get(i)).isPositive()
          .isGreaterThan(i == 0 ? Duration.ZERO : buckets.value().get(i - 1));
    }
    var routes = ConfigFuzzEntry.routes(text);
    assertOneProblemOrValue(Key.METRICS_ROUTES, routes);
    new RouteMatcher(routes.value()); // what the loader accepts, the matcher must accept too
    var replayBytes = ConfigFuzzEntry.replayBytes(text);
    assertOneProblemOrValue(Key.RETRY_MAX_REPLAY_BYTES, replayBytes);
    assertThat(replayBytes.value()).isBetween(0, 16 << 20);

    var upstream = ConfigFuzzEntry.upstreamUrl(text);
    assertOneProblemOrValue(Key.UPSTREAM, upstream);
    URI url = upstream.value();
    assertThat(url.getScheme()).isEqualToIgnoringCase("http");
    assertThat(url.getHost()).isNotNull();
    assertThat(url.getPort()).isBetween(-1, 65535).isNotZero();
    assertThat(url.getRawQuery()).isNull();
    String userInfo = userInfo(text);
    if (userInfo != null) { // http://user:password@app must never be shown, valid or not
      var shown = new UpstreamConfig(url, UpstreamProtocol.HTTP1, 1, Duration.ZERO, Duration.ofSeconds(1),
          Duration.ofSeconds(1), Duration.ZERO);
      assertThat(authority(shown.displayUrl())).doesNotContain(userInfo + "@");
      assertThat(authority(withoutMarker(Redaction.configValue(Key.UPSTREAM.path(), text))))
          .doesNotContain(userInfo + "@");
      assertThat(upstream.problems()).allSatisfy(p -> assertThat(authority(withoutMarker(p)))
          .doesNotContain(userInfo + "@"));
    }
  }

  /** Loads as a start would, then runs {@code batcycle check} with the same input and compares. */
  private static void assertConfigOrProblems(String[] args, Map<String, String> env) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    String[] checkArgs = args;
    int exit = MainFuzzEntry.check(checkArgs, env, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    List<String> errLines = err.toString(UTF_8).lines().toList();

    Invocation invocation;
    try {
      invocation = ConfigLoader.load(args, env);
    } catch (ConfigException e) {
      assertThat(e.problems()).isNotEmpty().allSatisfy(ConfigFuzzTest::assertNamesWhatToFix);
      assertThat(exit).isEqualTo(Main.EXIT_CONFIG);
      assertThat(errLines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("batcycle: "));
      assertThat(out.size()).isZero();
      return;
    }
    assertThat(exit).as("batcycle check exit code, stderr: %s", errLines).isZero();
    if (invocation instanceof Invocation.Print print) {
      assertThat(print.text()).isNotBlank();
      return;
    }
    BatcycleConfig config = invocation instanceof Invocation.Run run ? run.config()
        : ((Invocation.Check) invocation).config();
    assertValid(config);
    assertImmutable(config, "config");
    assertThat(errLines).allSatisfy(line -> assertThat(line).startsWith("batcycle: warning: "));
    assertThat(out.toString(UTF_8)).isEqualTo(ConfigReport.text(config));
  }

  /**
   * "key: 'value' from source (expected ...)", "config: ...", "path: unknown key ...", or picocli's option text,
   * which may name its own options (a repeated {@code -h} is "option '--help' should be specified only once"); an
   * outbound entry's problem names the entry and the key as written in it ("outbound[payments].retry.maxAttempts").
   */
  private static void assertNamesWhatToFix(String problem) {
    assertThat(problem).isNotBlank().doesNotContain("\n", "\r");
    boolean namesKey = false;
    for (Key key : Key.values()) {
      namesKey |= problem.startsWith(key.path() + ": ") || problem.contains(key.flag());
    }
    namesKey |= problem.matches("outbound\\[[^\\]]*\\](\\.[A-Za-z.]+)?: .*");
    assertThat(namesKey || problem.startsWith("config: ") || problem.contains(": unknown key in ")
        || problem.contains(": expected a section with keys") || problem.contains("unknown argument")
        || problem.contains("--config") || problem.contains("'--help'") || problem.contains("'--version'"))
        .as("names what to fix: %s", problem).isTrue();
  }

  private static void assertValid(BatcycleConfig config) {
    assertThat(config.retry().backoffMax()).isGreaterThanOrEqualTo(config.retry().backoffBase());
    if (config.limits().adaptive()) {
      assertThat(config.limits().adaptiveMinLimit()).isLessThanOrEqualTo(config.limits().maxConcurrent());
    }
    assertThat(config.upstream().port()).isBetween(1, 65535);
    assertThat(config.listener().eventLoops()).isBetween(1, 256);
    String userInfo = config.upstream().url().getRawUserInfo();
    if (userInfo != null) {
      assertThat(withoutMarker(ConfigReport.text(config))).doesNotContain(userInfo + "@");
    }
  }

  /** Records all the way down; collections and maps refuse changes; every duration within 0..24h. */
  private static void assertImmutable(Object value, String path) {
    if (value instanceof Record record) {
      for (RecordComponent component : record.getClass().getRecordComponents()) {
        try {
          assertImmutable(component.getAccessor().invoke(record), path + "." + component.getName());
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(path + "." + component.getName(), e);
        }
      }
    } else if (value instanceof Collection<?> collection) {
      assertThatThrownBy(collection::clear).as(path).isInstanceOf(UnsupportedOperationException.class);
      collection.forEach(item -> assertImmutable(item, path + "[]"));
    } else if (value instanceof Map<?, ?> map) {
      assertThatThrownBy(map::clear).as(path).isInstanceOf(UnsupportedOperationException.class);
      map.values().forEach(item -> assertImmutable(item, path + "{}"));
    } else if (value instanceof Optional<?> optional) {
      optional.ifPresent(item -> assertImmutable(item, path));
    } else if (value instanceof Duration duration) {
      assertThat(duration.isNegative()).as(path).isFalse();
      assertThat(duration).as(path).isLessThanOrEqualTo(LONGEST);
    }
  }

  private static void assertOneProblemOrValue(Key key, ConfigFuzzEntry.Read<?> read) {
    assertThat(read.value()).isNotNull();
    assertThat(read.problems()).hasSizeLessThanOrEqualTo(1).allSatisfy(problem -> {
      assertThat(problem).startsWith(key.path() + ": '").contains("' from env " + key.envName() + " (expected ");
      assertNamesWhatToFix(problem);
    });
  }

  /** The parser's result, or null after checking that it refused with its own, non-empty explanation. */
  private static <T> T parsed(Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      // A leaked NumberFormatException would show Java's wording ("For input string") as the expectation.
      assertThat(e.getClass()).isEqualTo(IllegalArgumentException.class);
      assertThat(e.getMessage()).isNotBlank();
      return null;
    }
  }

  /** The userinfo of text read as a URI the way the loader reads it, if it has a non-empty one. */
  private static String userInfo(String text) {
    try {
      String info = new URI(text.trim()).getRawUserInfo();
      return info == null || info.isEmpty() ? null : info;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** From "://" to the next '/': where a userinfo sits (the same text later in a path is no leak). */
  private static String authority(String shown) {
    int start = shown.indexOf("://");
    if (start < 0) {
      return "";
    }
    int end = shown.indexOf('/', start + 3);
    return shown.substring(start + 3, end < 0 ? shown.length() : end);
  }

  private static String withoutMarker(String shown) {
    return shown.replace(Redaction.REDACTED + "@", "");
  }

  /** Arguments that would make the loader read a file named by fuzz data (a hang on /dev/stdin) are left out. */
  private static boolean usableArgument(String arg) {
    return !arg.equals("--config") && !arg.startsWith("--config=") && !arg.startsWith("@") && !arg.equals("check");
  }
}
