package batcycle.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  private static final Map<String, String> NO_ENV = Map.of();

  @TempDir
  Path dir;

  // ---------------------------------------------------------------- defaults

  @Nested
  class Defaults {
    @Test
    void newcomerGetsDocumentedDefaultsWithNoFlagsEnvironmentOrFile() {
      BatcycleConfig config = load(NO_ENV);

      assertThat(config.listener().address()).isEqualTo(new HostPort("0.0.0.0", 8000));
      assertThat(config.admin()).isEqualTo(new HostPort("0.0.0.0", 9901));
      assertThat(config.upstream().url()).isEqualTo(URI.create("http://127.0.0.1:8080"));
      assertThat(config.upstream().host()).isEqualTo("127.0.0.1");
      assertThat(config.upstream().port()).isEqualTo(8080);
      assertThat(config.listener().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(config.upstream().protocol()).isEqualTo(UpstreamProtocol.HTTP1);
      assertThat(config.upstream().maxConnections()).isEqualTo(1024); // follows limits.maxConcurrent
      assertThat(config.upstream().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(4));
      assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(config.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(60));
      assertThat(config.upstream().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
      assertThat(config.listener().clientIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
      assertThat(config.listener().maxHeaderSize()).isEqualTo(64 * 1024);
      assertThat(config.listener().maxRequestLine()).isEqualTo(8 * 1024);
      assertThat(config.headers()).isEqualTo(new HeaderConfig(true, true, false, false, ""));
      assertThat(config.demo()).isFalse();
      assertThat(config.configFile()).isEmpty();
    }

    @Test
    void everySourceIsTheDefaultAndItsTextIsTheKeysDefault() {
      BatcycleConfig config = load(NO_ENV);

      assertThat(config.sources()).containsOnlyKeys(Key.values());
      for (Key key : Key.values()) {
        assertThat(config.sources().get(key)).as(key.path())
            .isEqualTo(new SourcedValue(key.defaultValue(), "default"));
      }
    }

    @Test
    void defaultsFactoryEqualsLoadingNothing() {
      assertThat(BatcycleConfig.defaults()).isEqualTo(load(NO_ENV));
    }

    @Test
    void sourcesAreUnmodifiable() {
      BatcycleConfig config = load(NO_ENV);

      assertThrows(UnsupportedOperationException.class,
          () -> config.sources().put(Key.LISTEN, new SourcedValue("x", "y")));
    }

    @Test
    void withOverridesSomeKeysAndKeepsTheRest() {
      BatcycleConfig config = BatcycleConfig.defaults().with(Map.of(Key.LISTEN, "127.0.0.1:0"));

      assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 0));
      assertThat(config.admin()).isEqualTo(new HostPort("0.0.0.0", 9901));
      assertThat(config.listener().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
  }

  // ---------------------------------------------------------------- precedence

  /** One key with a distinct value in each source, and how to read the typed value back. */
  record Sample(Key key, String file, String env, String flag, Function<BatcycleConfig, Object> read,
                Object defaultTyped, Object fileTyped, Object envTyped, Object flagTyped) {
    @Override
    public String toString() {
      return key.path();
    }
  }

  static Stream<Sample> samples() {
    return Stream.of(
        new Sample(Key.LISTEN, "127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003",
            c -> c.listener().address(), new HostPort("0.0.0.0", 8000), new HostPort("127.0.0.1", 7001),
            new HostPort("127.0.0.1", 7002), new HostPort("127.0.0.1", 7003)),
        new Sample(Key.UPSTREAM, "http://10.0.0.1:81", "http://10.0.0.2:82", "http://10.0.0.3:83",
            c -> c.upstream().url(), URI.create("http://127.0.0.1:8080"), URI.create("http://10.0.0.1:81"),
            URI.create("http://10.0.0.2:82"), URI.create("http://10.0.0.3:83")),
        new Sample(Key.POOL_MAX_CONNECTIONS, "7", "8", "9",
            c -> c.upstream().maxConnections(), 1024, 7, 8, 9),
        new Sample(Key.TIMEOUTS_CONNECT, "100ms", "200ms", "300ms",
            c -> c.upstream().connectTimeout(), Duration.ofSeconds(2), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(300)),
        new Sample(Key.HEADERS_VIA, "true", "false", "true",
            c -> c.headers().via(), false, true, false, true),
        new Sample(Key.LIMITS_MAX_HEADER_SIZE, "16KiB", "32KiB", "128KiB",
            c -> c.listener().maxHeaderSize(), 65536, 16384, 32768, 131072));
  }

  static Stream<Arguments> precedenceCases() {
    List<Arguments> cases = new ArrayList<>();
    samples().forEach(sample -> {
      for (int mask = 0; mask < 8; mask++) {
        cases.add(Arguments.of(sample, (mask & 4) != 0, (mask & 2) != 0, (mask & 1) != 0));
      }
    });
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: flag={1} env={2} file={3}")
  @MethodSource("precedenceCases")
  void flagBeatsEnvironmentBeatsFileBeatsDefault(Sample s, boolean flag, boolean env, boolean file)
      throws IOException {
    List<String> args = new ArrayList<>();
    Map<String, String> environment = new HashMap<>();
    Path yaml = writeYaml("other.yaml", "# nothing set here\n");
    if (file) {
      yaml = writeYaml("batcycle.yaml", nested(s.key().path(), s.file()));
    }
    environment.put("BATCYCLE_CONFIG", yaml.toString());
    if (env) {
      environment.put(s.key().envName(), s.env());
    }
    if (flag) {
      args.add(s.key().flag());
      args.add(s.flag());
    }

    BatcycleConfig config = load(environment, args.toArray(String[]::new));

    SourcedValue source = config.sources().get(s.key());
    if (flag) {
      assertThat(source).isEqualTo(new SourcedValue(s.flag(), "flag " + s.key().flag()));
      assertThat(s.read().apply(config)).isEqualTo(s.flagTyped());
    } else if (env) {
      assertThat(source).isEqualTo(new SourcedValue(s.env(), "env " + s.key().envName()));
      assertThat(s.read().apply(config)).isEqualTo(s.envTyped());
    } else if (file) {
      assertThat(source).isEqualTo(new SourcedValue(s.file(), "file " + yaml));
      assertThat(s.read().apply(config)).isEqualTo(s.fileTyped());
    } else {
      assertThat(source).isEqualTo(new SourcedValue(s.key().defaultValue(), "default"));
      assertThat(s.read().apply(config)).isEqualTo(s.defaultTyped());
    }
  }

  @Test
  void sourcesNameFlagEnvironmentFileAndDefaultSideBySide() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "admin: 127.0.0.1:9999\n");

    BatcycleConfig config = load(Map.of("BATCYCLE_UPSTREAM", "http://10.1.1.1:9000"),
        "--listen", "127.0.0.1:1234", "--config", yaml.toString());

    assertThat(config.sources().get(Key.LISTEN).source()).isEqualTo("flag --listen");
    assertThat(config.sources().get(Key.UPSTREAM).source()).isEqualTo("env BATCYCLE_UPSTREAM");
    assertThat(config.sources().get(Key.ADMIN).source()).isEqualTo("file " + yaml);
    assertThat(config.sources().get(Key.POOL_MAX_CONNECTIONS).source()).isEqualTo("default");
    assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 1234));
    assertThat(config.upstream().url()).isEqualTo(URI.create("http://10.1.1.1:9000"));
    assertThat(config.admin()).isEqualTo(new HostPort("127.0.0.1", 9999));
  }

  @Test
  void kbIsAThousandKibIsTenTwentyFourAndDurationsMayHaveDecimalsAndParts() {
    BatcycleConfig config = load(Map.of("BATCYCLE_DRAIN_DELAY", "1m30s"), "--limits-max-header-size", "64KB",
        "--retry-max-replay-bytes", "64KiB", "--limits-max-request-line", "1.5KiB", "--timeouts-connect", "1.5s");

    assertThat(config.limits().maxHeaderSize()).isEqualTo(64_000);
    assertThat(config.listener().maxHeaderSize()).isEqualTo(64_000);
    assertThat(config.retry().maxReplayBytes()).isEqualTo(65_536);
    assertThat(config.limits().maxRequestLine()).isEqualTo(1536);
    assertThat(config.timeouts().connect()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.drain().delay()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.lifecycle().drainDelay()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void flagValueMayFollowAnEqualsSign() {
    BatcycleConfig config = load(NO_ENV, "--listen=127.0.0.1:1234", "--pool-max-connections=3");

    assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 1234));
    assertThat(config.upstream().maxConnections()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- YAML file

  @Test
  void readsNestedFlowAndBlockSections() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", """
        listen: 127.0.0.1:8001
        upstream: http://localhost:3000
        upstreamProtocol: h2c
        eventLoops: 3
        pool: {maxConnections: 8}
        timeouts: {connect: 500ms, response: 5s}
        limits:
          maxHeaderSize: 32KiB
          maxRequestLine: 4096
        headers:
          preserveHost: false
          via: yes
        """);

    BatcycleConfig config = load(NO_ENV, "--config", yaml.toString());

    assertThat(config.configFile()).contains(yaml);
    assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 8001));
    assertThat(config.upstream().url()).isEqualTo(URI.create("http://localhost:3000"));
    assertThat(config.upstream().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(config.listener().eventLoops()).isEqualTo(3);
    assertThat(config.upstream().maxConnections()).isEqualTo(8);
    assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.upstream().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(4)); // untouched: default
    assertThat(config.listener().maxHeaderSize()).isEqualTo(32 * 1024);
    assertThat(config.listener().maxRequestLine()).isEqualTo(4096);
    assertThat(config.headers().preserveHost()).isFalse();
    assertThat(config.headers().via()).isTrue();
    assertThat(config.sources().get(Key.POOL_MAX_CONNECTIONS)).isEqualTo(new SourcedValue("8", "file " + yaml));
    assertThat(config.sources().get(Key.POOL_IDLE_TIMEOUT).source()).isEqualTo("default");
  }

  @Test
  void configFileComesFromTheEnvironmentWhenNoFlagNamesOne() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: 127.0.0.1:8002\n");

    BatcycleConfig config = load(Map.of("BATCYCLE_CONFIG", yaml.toString()));

    assertThat(config.configFile()).contains(yaml);
    assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 8002));
  }

  @Test
  void configFlagBeatsConfigEnvironmentVariable() throws IOException {
    Path fromEnv = writeYaml("env.yaml", "listen: 127.0.0.1:8003\n");
    Path fromFlag = writeYaml("flag.yaml", "listen: 127.0.0.1:8004\n");

    BatcycleConfig config = load(Map.of("BATCYCLE_CONFIG", fromEnv.toString()), "--config=" + fromFlag);

    assertThat(config.configFile()).contains(fromFlag);
    assertThat(config.listener().address()).isEqualTo(new HostPort("127.0.0.1", 8004));
    assertThat(config.sources().get(Key.LISTEN).source()).isEqualTo("file " + fromFlag);
  }

  @Test
  void emptyFileMeansAllDefaults() throws IOException {
    Path yaml = writeYaml("empty.yaml", "# everything commented out\n");

    BatcycleConfig config = load(NO_ENV, "--config", yaml.toString());

    assertThat(config.configFile()).contains(yaml);
    assertThat(config.listener()).isEqualTo(BatcycleConfig.defaults().listener());
    assertThat(config.upstream()).isEqualTo(BatcycleConfig.defaults().upstream());
  }

  @Test
  void sectionWithAllKeysCommentedOutMeansDefaults() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "pool:\n#  maxConnections: 8\ntimeouts:\n");

    BatcycleConfig config = load(NO_ENV, "--config", yaml.toString());

    assertThat(config.upstream().maxConnections()).isEqualTo(1024); // follows limits.maxConcurrent
  }

  // ---------------------------------------------------------------- invalid values

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        // key, bad value, what the expectation must mention
        Arguments.of(Key.LISTEN, "localhost", "HOST:PORT"),
        Arguments.of(Key.LISTEN, "127.0.0.1:70000", "port in 0..65535"),
        Arguments.of(Key.LISTEN, "127.0.0.1:-1", "port in 0..65535"),
        Arguments.of(Key.LISTEN, "127.0.0.1:http", "HOST:PORT"),
        Arguments.of(Key.LISTEN, "::1", "HOST:PORT"),
        Arguments.of(Key.ADMIN, "0.0.0.0:", "HOST:PORT"),
        Arguments.of(Key.UPSTREAM, "https://127.0.0.1:8443", "http:// URL"),
        Arguments.of(Key.UPSTREAM, "ftp://127.0.0.1:21", "http:// URL"),
        Arguments.of(Key.UPSTREAM, "http://127.0.0.1:8080/api", "without path"),
        Arguments.of(Key.UPSTREAM, "http://127.0.0.1:8080?debug=1", "without path or query"),
        Arguments.of(Key.UPSTREAM, "http:///nohost", "with a host"),
        Arguments.of(Key.UPSTREAM, "http://", "http:// URL"),
        Arguments.of(Key.UPSTREAM, "127.0.0.1:8080", "http:// URL"),
        Arguments.of(Key.UPSTREAM, "localhost:8080", "http:// URL"),
        Arguments.of(Key.UPSTREAM, "http://127.0.0.1:99999", "port in 1..65535"),
        Arguments.of(Key.UPSTREAM, "http://127.0.0.1:0", "port in 1..65535"),
        Arguments.of(Key.TIMEOUTS_CONNECT, "5x", "a duration such as 500ms"),
        Arguments.of(Key.TIMEOUTS_CONNECT, "0", "a duration above 0"),
        Arguments.of(Key.TIMEOUTS_CONNECT, "0ms", "a duration above 0"),
        Arguments.of(Key.TIMEOUTS_RESPONSE, "0s", "a duration above 0"),
        Arguments.of(Key.TIMEOUTS_RESPONSE, "99999999999999999999s", "a duration such as"),
        Arguments.of(Key.TIMEOUTS_UPSTREAM_IDLE, "9223372036854775807h", "a duration such as"),
        Arguments.of(Key.POOL_IDLE_TIMEOUT, "-1s", "a duration such as"),
        Arguments.of(Key.POOL_IDLE_TIMEOUT, "5", "a duration such as"),
        Arguments.of(Key.TIMEOUTS_CLIENT_IDLE, "25h", "at most 24h"),
        Arguments.of(Key.LIMITS_MAX_HEADER_SIZE, "lots", "a size such as 65536, 64KiB"),
        Arguments.of(Key.LIMITS_MAX_HEADER_SIZE, "512", "a size in 1024..1048576 bytes"),
        Arguments.of(Key.LIMITS_MAX_HEADER_SIZE, "2MiB", "a size in 1024..1048576 bytes"),
        Arguments.of(Key.LIMITS_MAX_REQUEST_LINE, "999999999999GiB", "a size such as"),
        Arguments.of(Key.LIMITS_MAX_REQUEST_LINE, "4k", "a size with an unambiguous unit: 4KiB (powers of 1024) or 4KB"),
        Arguments.of(Key.LIMITS_MAX_REQUEST_LINE, "2MB", "a size in 256..1048576 bytes"),
        Arguments.of(Key.HEADERS_VIA, "maybe", "true or false"),
        Arguments.of(Key.DEMO, "", "true or false"),
        Arguments.of(Key.UPSTREAM_PROTOCOL, "http3", "http1 or h2c"),
        Arguments.of(Key.CONFIG_ACCESS, "open", "loopback or any"),
        Arguments.of(Key.EVENT_LOOPS, "0", "a whole number in 1..256"),
        Arguments.of(Key.EVENT_LOOPS, "257", "a whole number in 1..256"),
        Arguments.of(Key.EVENT_LOOPS, "two", "a whole number in 1..256"),
        Arguments.of(Key.POOL_MAX_CONNECTIONS, "0", "a whole number in 1..100000"),
        Arguments.of(Key.POOL_MAX_CONNECTIONS, "1.5", "a whole number in 1..100000"),
        Arguments.of(Key.TIMEOUTS_REQUEST, "soon", "a duration such as"),
        Arguments.of(Key.RETRY_MAX_ATTEMPTS, "0", "a whole number in 1..10"),
        Arguments.of(Key.RETRY_MAX_ATTEMPTS, "11", "a whole number in 1..10"),
        Arguments.of(Key.RETRY_STATUSES, "503,abc", "a whole number in 400..599"),
        Arguments.of(Key.RETRY_STATUSES, "200", "a whole number in 400..599"),
        Arguments.of(Key.RETRY_MAX_REPLAY_BYTES, "32MiB", "a size in 0..16777216 bytes"),
        Arguments.of(Key.RETRY_BUDGET_RATIO, "1.5", "a number from 0.0 to 1.0"),
        Arguments.of(Key.RETRY_BUDGET_WINDOW, "1500ms", "whole seconds from 1s to 600s"),
        Arguments.of(Key.RETRY_BUDGET_WINDOW, "0", "whole seconds from 1s to 600s"),
        Arguments.of(Key.BREAKER_FAILURE_RATE, "0", "a whole number in 1..100"),
        Arguments.of(Key.BREAKER_FAILURE_RATE, "50%", "a whole number in 1..100"),
        Arguments.of(Key.BREAKER_WINDOW, "2h", "whole seconds from 1s to 3600s"),
        Arguments.of(Key.BREAKER_OPEN_DURATION, "0", "a duration above 0"),
        Arguments.of(Key.BREAKER_STATUSES, "600", "a whole number in 400..599"),
        Arguments.of(Key.LIMITS_MAX_CONCURRENT, "0", "a whole number in 1..1000000"),
        Arguments.of(Key.LIMITS_QUEUE_SIZE, "-1", "a whole number in 0..100000"),
        Arguments.of(Key.LIMITS_QUEUE_TIMEOUT, "0", "a duration above 0"),
        Arguments.of(Key.RATE_LIMIT_LIMIT, "-1", "a whole number in 0..10000000"),
        Arguments.of(Key.RATE_LIMIT_PERIOD, "0s", "a duration above 0"));
  }

  @Nested
  class Resilience {
    @Test
    void aNegativeZeroRatioIsZero() {
      BatcycleConfig config = load(NO_ENV, "--access-log-sample-success", "-0", "--retry-budget-ratio", "-0.0");

      // A fuzz finding: -0.0 passed the range check, and sorts (and prints) below 0.
      assertThat(Double.compare(config.accessLog().sampleSuccess(), 0.0)).isZero();
      assertThat(Double.compare(config.retry().budgetRatio(), 0.0)).isZero();
    }

    @Test
    void defaultsRetrySafelyWithinABudgetAndShedOnlyUnderSustainedFailure() {
      BatcycleConfig config = load(NO_ENV);
      assertThat(config.deadline()).isEqualTo(new DeadlineConfig(Duration.ofSeconds(60), Duration.ofSeconds(60)));
      assertThat(config.retry()).isEqualTo(new RetryConfig(3, Duration.ofMillis(25), Duration.ofMillis(250),
          java.util.Set.of(502, 503, 504), 64 * 1024, Duration.ofSeconds(1), 0.2, 10, Duration.ofSeconds(10)));
      assertThat(config.breaker()).isEqualTo(new BreakerConfig(true, 50, 100, Duration.ofSeconds(30),
          Duration.ofSeconds(10), 10, java.util.Set.of(502, 503, 504)));
      assertThat(config.limits()).isEqualTo(new LimitConfig(10_000, 64 * 1024, 8 * 1024, 100, 240,
          Duration.ofSeconds(5), 1024, 64, Duration.ofSeconds(1), false, 16));
      assertThat(config.rateLimit().enabled()).isFalse();
    }

    @Test
    void anEmptyStatusListMeansNoStatusIsRetried() {
      assertThat(load(NO_ENV, "--retry-statuses=").retry().statuses()).isEmpty();
      assertThat(load(NO_ENV, "--retry-statuses", "429, 503").retry().statuses())
          .containsExactlyInAnyOrder(429, 503);
    }

    @Test
    void aBackOffCapBelowItsBaseIsAProblem() {
      assertThat(problems(NO_ENV, "--retry-backoff-base", "100ms", "--retry-backoff-max", "50ms"))
          .containsExactly("retry.backoffMax: '50ms' from flag --retry-backoff-max "
              + "(expected at least retry.backoffBase (100ms))");
    }

    @Test
    void anAdaptiveMinimumAboveTheMaximumIsAProblem() {
      assertThat(problems(NO_ENV, "--limits-adaptive", "--limits-max-concurrent", "10",
          "--limits-adaptive-min-limit", "20"))
          .containsExactly("limits.adaptiveMinLimit: '20' from flag --limits-adaptive-min-limit "
              + "(expected at most limits.maxConcurrent (10))");
    }

    @Test
    void listenAndAdminOnOverlappingAddressesAreOneProblem() {
      assertThat(problems(NO_ENV, "--listen", "0.0.0.0:9000", "--admin", "127.0.0.1:9000"))
          .containsExactly("admin: '127.0.0.1:9000' from flag --admin (expected a port apart from listen "
              + "(0.0.0.0:9000): the proxy and the admin server would share connections)");
      assertThat(problems(Map.of("BATCYCLE_ADMIN", "[::]:9000"), "--listen", "127.0.0.1:9000"))
          .singleElement().asString().startsWith("admin: '[::]:9000' from env BATCYCLE_ADMIN (expected a port apart");
      assertThat(load(NO_ENV, "--listen", "127.0.0.1:9000", "--admin", "127.0.0.1:9001").admin().port())
          .isEqualTo(9001);
    }

    @Test
    void aRuleComparingWithAnUnreadableValueIsLeftOut() {
      // The unreadable listen stands in as its default; comparing admin with that would report a made-up clash.
      assertThat(problems(NO_ENV, "--listen", "nowhere", "--admin", "0.0.0.0:8000")).singleElement().asString()
          .startsWith("listen: 'nowhere' from flag --listen");
      assertThat(problems(NO_ENV, "--retry-backoff-base", "soon", "--retry-backoff-max", "1ms")).singleElement()
          .asString().startsWith("retry.backoffBase: 'soon'");
    }

    @Test
    void aYamlListOfStatusesIsAccepted() throws IOException {
      Path yaml = writeYaml("batcycle.yaml", """
          retry:
            statuses: [503]
            maxAttempts: 2
          breaker:
            statuses: [502, 503]
          """);
      BatcycleConfig config = load(NO_ENV, "--config", yaml.toString());
      assertThat(config.retry().statuses()).containsExactly(503);
      assertThat(config.retry().maxAttempts()).isEqualTo(2);
      assertThat(config.breaker().statuses()).containsExactlyInAnyOrder(502, 503);
    }
  }

  @ParameterizedTest(name = "{0} = ''{1}'' from a flag")
  @MethodSource("invalidValues")
  void invalidFlagValueIsOneProblemNamingKeyValueSourceAndExpectation(Key key, String value, String expected) {
    List<String> problems = problems(NO_ENV, key.flag() + "=" + value);

    assertThat(problems).singleElement().asString()
        .startsWith(key.path() + ": '" + value + "' from flag " + key.flag() + " (expected ")
        .contains(expected)
        .endsWith(")");
  }

  @ParameterizedTest(name = "{0} = ''{1}'' from the environment")
  @MethodSource("invalidValues")
  void invalidEnvironmentValueNamesTheVariable(Key key, String value, String expected) {
    List<String> problems = problems(Map.of(key.envName(), value));

    assertThat(problems).singleElement().asString()
        .startsWith(key.path() + ": '" + value + "' from env " + key.envName() + " (expected ")
        .contains(expected);
  }

  @ParameterizedTest(name = "{0} = ''{1}'' from the file")
  @MethodSource("invalidValues")
  void invalidFileValueNamesTheFile(Key key, String value, String expected) throws IOException {
    Path yaml = writeYaml("batcycle.yaml", nested(key.path(), value));

    List<String> problems = problemsOf(yaml);

    assertThat(problems).singleElement().asString()
        .startsWith(key.path() + ": '" + value + "' from file " + yaml + " (expected ")
        .contains(expected);
  }

  @Test
  void everyProblemIsReportedAtOnce() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", """
        timeouts:
          connect: 0
          conect: 1s
        pool: {maxConnections: 0}
        """);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(
        new String[] {"--listen", "nowhere", "--config", yaml.toString(), "--headers-via=perhaps"},
        Map.of("BATCYCLE_UPSTREAM", "https://app", "BATCYCLE_EVENT_LOOPS", "0")));

    assertThat(e.problems()).hasSize(7);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("timeouts.conect: unknown key"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("listen: 'nowhere' from flag --listen"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("headers.via: 'perhaps' from flag"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("upstream: 'https://app' from env"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("eventLoops: '0' from env"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("timeouts.connect: '0' from file"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("pool.maxConnections: '0' from file"));
    assertThat(e.getMessage()).isEqualTo(String.join("; ", e.problems()));
  }

  @Test
  void problemsAreSingleLinesWithoutStackTrace() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: [unclosed\n");

    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--config", yaml.toString(), "--listen", "x"}, NO_ENV));

    assertThat(e.problems()).hasSize(2).allSatisfy(p -> assertThat(p).doesNotContain("\n", "\r"));
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void aLineBreakInAValueIsEscapedSoEachProblemStaysOneLine() { // found by fuzzing a YAML "a\nb"
    assertThat(problems(Map.of(Key.LISTEN.envName(), "a\nb"))).singleElement().asString()
        .startsWith("listen: 'a\\nb' from env BATCYCLE_LISTEN").doesNotContain("\n");
    assertThat(problems(NO_ENV, "--lisen\r=1")).singleElement().asString().doesNotContain("\r");
  }

  @Test
  void aPasswordInAnInvalidUpstreamUrlIsRedactedInTheProblem() {
    assertThat(problems(Map.of(Key.UPSTREAM.envName(), "http://admin:hunter2@app:8080/x")))
        .singleElement().asString().startsWith("upstream: 'http://[redacted]@app:8080/x' from env")
        .doesNotContain("hunter2");
  }

  // ---------------------------------------------------------------- bad files

  @Test
  void unknownTopLevelKeySuggestsTheClosestKey() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "lisen: 127.0.0.1:8000\n");

    assertThat(problemsOf(yaml))
        .containsExactly("lisen: unknown key in " + yaml + " (did you mean 'listen'?)");
  }

  @Test
  void unknownNestedKeySuggestsTheClosestKeyPath() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "timeouts: {conect: 1s}\n");

    assertThat(problemsOf(yaml))
        .containsExactly("timeouts.conect: unknown key in " + yaml + " (did you mean 'timeouts.connect'?)");
  }

  @Test
  void misspelledSectionSuggestsTheSection() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "timeout:\n  connect: 1s\n");

    assertThat(problemsOf(yaml))
        .containsExactly("timeout: unknown key in " + yaml + " (did you mean 'timeouts'?)");
  }

  @Test
  void unknownKeyFarFromAnyListsTheValidKeys() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "frobnicateEverything: 1\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .startsWith("frobnicateEverything: unknown key in " + yaml + " (valid keys: ")
        .contains(Stream.of(Key.values()).map(Key::path).toArray(String[]::new));
  }

  @Test
  void keyKnownCaseInsensitivelyIsStillUnknownButSuggested() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "Listen: 127.0.0.1:8000\n");

    assertThat(problemsOf(yaml))
        .containsExactly("Listen: unknown key in " + yaml + " (did you mean 'listen'?)");
  }

  @Test
  void listOrMappingWhereAValueBelongsIsAProblem() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: [a, b]\nupstream: {url: x}\neventLoops:\n");

    assertThat(problemsOf(yaml)).containsExactly(
        "listen: missing or non-scalar value in " + yaml + " (expected HOST:PORT)",
        "upstream: missing or non-scalar value in " + yaml + " (expected URL)",
        "eventLoops: missing or non-scalar value in " + yaml + " (expected N)");
  }

  @Test
  void scalarWhereASectionBelongsIsAProblem() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "pool: 8\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .startsWith("pool: expected a section with keys such as pool.maxConnections");
  }

  @Test
  void missingFileCannotBeRead() {
    Path missing = dir.resolve("nope.yaml");

    assertThat(problems(NO_ENV, "--config", missing.toString()))
        .containsExactly("config: cannot read '" + missing + "' (no such file)");
  }

  @Test
  void missingFileNamedByEnvironmentCannotBeRead() {
    Path missing = dir.resolve("nope.yaml");

    assertThat(problems(Map.of("BATCYCLE_CONFIG", missing.toString())))
        .containsExactly("config: cannot read '" + missing + "' (no such file)");
  }

  @Test
  void directoryCannotBeRead() {
    assertThat(problems(NO_ENV, "--config", dir.toString())).singleElement().asString()
        .startsWith("config: cannot read '" + dir + "'");
  }

  @Test
  void unreadableFileCannotBeRead() throws IOException {
    Path yaml = writeYaml("secret.yaml", "listen: 127.0.0.1:8000\n");
    try {
      Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("---------"));
    } catch (UnsupportedOperationException e) {
      assumeFalse(true, "no POSIX permissions on this file system");
    }
    assumeFalse(Files.isReadable(yaml), "running as root: permissions do not stop reading");

    assertThat(problemsOf(yaml))
        .containsExactly("config: cannot read '" + yaml + "' (permission denied)");
  }

  @Test
  void fileThatIsNotUtf8CannotBeRead() throws IOException {
    Path yaml = dir.resolve("latin1.yaml");
    Files.write(yaml, new byte[] {'l', 'i', 's', 't', 'e', 'n', ':', ' ', (byte) 0xff, '\n'});

    assertThat(problemsOf(yaml))
        .containsExactly("config: cannot read '" + yaml + "' (not UTF-8 text)");
  }

  @Test
  void invalidYamlSyntaxSaysWhere() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: 127.0.0.1:8000\ntimeouts:\n  connect: [1s\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .startsWith("config: '" + yaml + "' is not valid YAML (")
        .contains("line 3");
  }

  @Test
  void topLevelListIsNotAConfiguration() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "- listen: 127.0.0.1:8000\n- demo: true\n");

    assertThat(problemsOf(yaml)).containsExactly(
        "config: '" + yaml + "' must hold a mapping of keys, such as 'listen: 0.0.0.0:8000'");
  }

  @Test
  void topLevelScalarIsNotAConfiguration() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "just some text\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .contains("must hold a mapping of keys");
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: 127.0.0.1:8000\nlisten: 127.0.0.1:9000\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .startsWith("config: '" + yaml + "' is not valid YAML (")
        .contains("duplicate key listen");
  }

  @Test
  void duplicateNestedKeysAreRejected() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "timeouts:\n  connect: 1s\n  connect: 2s\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .contains("duplicate key connect");
  }

  @Test
  void severalDocumentsAreRejected() throws IOException {
    Path yaml = writeYaml("batcycle.yaml", "listen: 127.0.0.1:8000\n---\ndemo: true\n");

    assertThat(problemsOf(yaml)).singleElement().asString()
        .contains("is not valid YAML");
  }

  // ---------------------------------------------------------------- command line

  @Test
  void unknownFlagSuggestsTheClosestFlag() {
    assertThat(problems(NO_ENV, "--lisen", "127.0.0.1:8000")).singleElement().asString()
        .startsWith("--lisen")
        .contains("unknown argument")
        .endsWith("(did you mean --listen?)");
  }

  @Test
  void unknownFlagWithEqualsSuggestsTheClosestFlag() {
    assertThat(problems(NO_ENV, "--pool-max-conections=3")).singleElement().asString()
        .contains("--pool-max-conections")
        .endsWith("(did you mean --pool-max-connections?)");
  }

  @Test
  void positionalArgumentIsUnknown() {
    assertThat(problems(NO_ENV, "serve")).containsExactly("serve: unknown argument (see --help)");
  }

  @Test
  void injectAfterSettingsIsRefusedWithWhereItBelongs() {
    // Main hands "inject ..." to batcycle.inject only as the first argument.
    assertThat(problems(NO_ENV, "--listen", ":8000", "inject", "deployment.yaml")).containsExactly(
        "inject takes no batcycle settings and must come first: java -jar batcycle.jar inject FILE... (see inject --help)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--listen", "--config", "--timeouts-connect"})
  void flagMissingItsValueNamesTheFlag(String flag) {
    assertThat(problems(NO_ENV, flag)).singleElement().asString()
        .contains("'" + flag + "'")
        .contains("Missing required parameter")
        .endsWith("(see --help)");
  }

  @Test
  void flagFollowedByAnotherFlagIsMissingItsValue() {
    assertThat(problems(NO_ENV, "--listen", "--admin", "127.0.0.1:0")).singleElement().asString()
        .contains("'--listen'")
        .contains("'--admin'");
  }

  @Test
  void flagGivenTwiceIsAProblem() {
    assertThat(problems(NO_ENV, "--listen", "127.0.0.1:1", "--listen", "127.0.0.1:2")).singleElement()
        .asString().contains("'--listen'").contains("only once");
  }

  @Test
  void booleanFlagAloneMeansTrue() {
    BatcycleConfig config = load(NO_ENV, "--demo", "--headers-via");

    assertThat(config.demo()).isTrue();
    assertThat(config.headers().via()).isTrue();
    assertThat(config.sources().get(Key.DEMO)).isEqualTo(new SourcedValue("true", "flag --demo"));
  }

  @Test
  void booleanFlagTakesAValue() {
    BatcycleConfig config = load(Map.of("BATCYCLE_DEMO", "true"),
        "--demo=false", "--headers-preserve-host=false", "--headers-forwarded=true");

    assertThat(config.demo()).isFalse();
    assertThat(config.sources().get(Key.DEMO)).isEqualTo(new SourcedValue("false", "flag --demo"));
    assertThat(config.headers().preserveHost()).isFalse();
    assertThat(config.headers().forwarded()).isTrue();
  }

  @Test
  void booleanFlagTakesASeparateValue() {
    assertThat(load(NO_ENV, "--demo", "false").demo()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "yes", "on", "1"})
  void booleanEnvironmentSpellingsOfTrue(String value) {
    assertThat(load(Map.of("BATCYCLE_HEADERS_VIA", value)).headers().via()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "False", "no", "off", "0"})
  void booleanEnvironmentSpellingsOfFalse(String value) {
    assertThat(load(Map.of("BATCYCLE_HEADERS_PRESERVE_HOST", value)).headers().preserveHost()).isFalse();
  }

  @Test
  void unknownBatcycleEnvironmentVariablesAreIgnored() {
    // What Kubernetes injects for a Service named "batcycle" in the same namespace, plus the log level.
    Map<String, String> env = Map.of(
        "BATCYCLE_SERVICE_HOST", "10.96.0.12",
        "BATCYCLE_SERVICE_PORT", "8000",
        "BATCYCLE_SERVICE_PORT_HTTP", "8000",
        "BATCYCLE_PORT", "tcp://10.96.0.12:8000",
        "BATCYCLE_PORT_8000_TCP", "tcp://10.96.0.12:8000",
        "BATCYCLE_PORT_8000_TCP_PROTO", "tcp",
        "BATCYCLE_PORT_8000_TCP_PORT", "8000",
        "BATCYCLE_PORT_8000_TCP_ADDR", "10.96.0.12",
        "BATCYCLE_LOG_LEVEL", "DEBUG",
        "BATCYCLE_LISEN", "typo:1");

    BatcycleConfig config = load(env);

    assertThat(config.sources().values()).extracting(SourcedValue::source).containsOnly("default");
  }

  @Test
  void eventLoopsMayBeSet() {
    assertThat(load(Map.of("BATCYCLE_EVENT_LOOPS", "3")).listener().eventLoops()).isEqualTo(3);
  }

  @Test
  void blankEventLoopsMeansOnePerCore() {
    assertThat(load(NO_ENV, "--event-loops=").listener().eventLoops())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void upstreamAcceptsTrailingSlashIpv6AndNoPort() {
    assertThat(load(NO_ENV, "--upstream", "http://127.0.0.1:8080/").upstream().port()).isEqualTo(8080);
    assertThat(load(NO_ENV, "--upstream", "HTTP://app").upstream().port()).isEqualTo(80);
    var ipv6 = load(NO_ENV, "--upstream", "http://[::1]:9000").upstream();
    assertThat(ipv6.host()).isEqualTo("::1");
    assertThat(ipv6.port()).isEqualTo(9000);
  }

  @Test
  void listenAcceptsIpv6AndAllInterfacesShorthand() {
    assertThat(load(NO_ENV, "--listen", "[::1]:8000").listener().address()).isEqualTo(new HostPort("::1", 8000));
    assertThat(load(NO_ENV, "--listen", ":8000").listener().address()).isEqualTo(new HostPort("0.0.0.0", 8000));
  }

  @Test
  void configAccessIsLoopbackUnlessOpenedByName() {
    assertThat(load(NO_ENV).configAccess()).isEqualTo(ConfigAccess.LOOPBACK);
    assertThat(load(NO_ENV, "--config-access", " ANY ").configAccess()).isEqualTo(ConfigAccess.ANY);
  }

  @Test
  void upstreamProtocolAliases() {
    assertThat(load(NO_ENV, "--upstream-protocol", "http2").upstream().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(load(NO_ENV, "--upstream-protocol", "H2C").upstream().protocol()).isEqualTo(UpstreamProtocol.H2C);
    assertThat(load(NO_ENV, "--upstream-protocol", "http/1.1").upstream().protocol())
        .isEqualTo(UpstreamProtocol.HTTP1);
  }

  // ---------------------------------------------------------------- help and version

  @Test
  void helpListsEveryFlagWithItsEnvironmentVariable() {
    String help = print("--help");

    // picocli wraps descriptions at 80 columns, also after the dot of a YAML path; flags and env names stay whole.
    String unwrapped = help.replaceAll("\\.\\s+(?=[a-z])", ".").replaceAll("\\s+", " ");
    for (Key key : Key.values()) {
      assertThat(help).as(key.path()).contains(key.flag() + (key.isBoolean() ? "[=BOOL]" : "=" + key.valueHint()));
      assertThat(help).as(key.path()).contains(key.envName());
      assertThat(unwrapped).as(key.path()).contains("YAML " + key.path() + ".");
    }
    assertThat(help).contains("--config", "BATCYCLE_CONFIG", "--help", "--version");
    assertThat(print("-h")).isEqualTo(help);
  }

  @Test
  void helpWinsOverOtherFlagsEvenInvalidOnes() {
    assertThat(print("--listen", "nowhere", "--help")).contains("--listen");
  }

  @Test
  void versionPrintsTheBuildVersion() {
    String version = print("--version");

    assertThat(BuildInfo.version()).isNotEqualTo("unknown").matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(version).startsWith("batcycle " + BuildInfo.version() + " (Java ").endsWith("\n");
    assertThat(print("-V")).isEqualTo(version);
  }

  // ---------------------------------------------------------------- helpers

  private static BatcycleConfig load(Map<String, String> env, String... args) {
    Invocation invocation = ConfigLoader.load(args, env);
    assertThat(invocation).isInstanceOf(Invocation.Run.class);
    return ((Invocation.Run) invocation).config();
  }

  private static List<String> problems(Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(args, env)).problems();
  }

  /** What loading {@code --config yaml} reports, with no environment. */
  private static List<String> problemsOf(Path yaml) {
    return problems(NO_ENV, "--config", yaml.toString());
  }

  private static String print(String... args) {
    Invocation invocation = ConfigLoader.load(args, NO_ENV);
    assertThat(invocation).isInstanceOf(Invocation.Print.class);
    return ((Invocation.Print) invocation).text();
  }

  private Path writeYaml(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** {@code pool.maxConnections} and {@code 8} become a block mapping {@code pool:\n  maxConnections: '8'}. */
  private static String nested(String path, String value) {
    String[] parts = path.split("\\.");
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      yaml.append("  ".repeat(i)).append(parts[i]).append(':');
      yaml.append(i == parts.length - 1 ? " '" + value.replace("'", "''") + "'\n" : "\n");
    }
    return yaml.toString();
  }
}
