package batcycle.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reads the configuration once at start-up. Precedence: flags, then {@code BATCYCLE_*} environment variables,
 * then the YAML file ({@code --config} or {@code BATCYCLE_CONFIG}), then defaults. Unknown flags and YAML keys
 * are errors; unknown {@code BATCYCLE_*} variables are ignored, because Kubernetes itself injects variables such
 * as {@code BATCYCLE_SERVICE_HOST} for a Service named batcycle.
 */
public final class ConfigLoader {
  private static final String CONFIG_FLAG = "--config";
  private static final String CONFIG_ENV = "BATCYCLE_CONFIG";
  /** The subcommand that only validates and prints the configuration. */
  private static final String CHECK = "check";

  private ConfigLoader() {}

  /**
   * Parses the command line and environment: a start, {@code check} (the same options, only validated), help or
   * the version. Throws {@link ConfigException} listing every problem.
   */
  public static Invocation load(String[] args, Map<String, String> env) {
    CommandLine cli = new CommandLine(commandSpec());
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (UnmatchedArgumentException e) {
      List<String> suggestions = e.getSuggestions();
      throw new ConfigException(String.join(" ", e.getUnmatched()) + ": unknown argument"
          + (suggestions.isEmpty() ? " (see --help)" : " (did you mean " + suggestions.get(0) + "?)"));
    } catch (ParameterException e) {
      throw new ConfigException(e.getMessage() + " (see --help)");
    }
    // Options may come before or after "check"; after it, they win.
    ParseResult check = parsed.subcommand();
    if (parsed.isUsageHelpRequested()) {
      return new Invocation.Print(cli.getUsageMessage());
    }
    if (check != null && check.isUsageHelpRequested()) {
      return new Invocation.Print(cli.getSubcommands().get(CHECK).getUsageMessage());
    }
    if (parsed.isVersionHelpRequested() || check != null && check.isVersionHelpRequested()) {
      return new Invocation.Print("batcycle " + BuildInfo.version() + " (Java " + Runtime.version() + ")\n");
    }
    Map<Key, String> flags = new EnumMap<>(Key.class);
    for (Key key : Key.values()) {
      ParseResult source = check != null && check.hasMatchedOption(key.flag()) ? check : parsed;
      if (source.hasMatchedOption(key.flag())) {
        flags.put(key, source.matchedOptionValue(key.flag(), ""));
      }
    }
    ParseResult configSource = check != null && check.hasMatchedOption(CONFIG_FLAG) ? check : parsed;
    Map<Key, String> environment = new EnumMap<>(Key.class);
    for (Key key : Key.values()) {
      String value = env.get(key.envName());
      if (value != null) {
        environment.put(key, value);
      }
    }
    Optional<Path> file = Optional.ofNullable(configSource.hasMatchedOption(CONFIG_FLAG)
        ? configSource.<String>matchedOptionValue(CONFIG_FLAG, null) : env.get(CONFIG_ENV)).map(Path::of);
    List<String> problems = new ArrayList<>();
    Map<Key, String> yaml = file.map(f -> YamlFile.read(f, problems)).orElse(Map.of());
    // Check the values too even when the file has problems, so one start-up reports everything to fix.
    BatcycleConfig config = null;
    try {
      config = fromValues(flags, environment, yaml, file);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return check != null ? new Invocation.Check(config) : new Invocation.Run(config);
  }

  /** Merges the sources by precedence and builds the typed configuration. */
  static BatcycleConfig fromValues(Map<Key, String> flags, Map<Key, String> env, Map<Key, String> yaml,
                                   Optional<Path> file) {
    Map<Key, SourcedValue> merged = new EnumMap<>(Key.class);
    for (Key key : Key.values()) {
      if (flags.containsKey(key)) {
        merged.put(key, new SourcedValue(flags.get(key), "flag " + key.flag()));
      } else if (env.containsKey(key)) {
        merged.put(key, new SourcedValue(env.get(key), "env " + key.envName()));
      } else if (yaml.containsKey(key)) {
        merged.put(key, new SourcedValue(yaml.get(key), "file " + file.map(Path::toString).orElse("?")));
      } else {
        merged.put(key, new SourcedValue(key.defaultValue(), "default"));
      }
    }
    return fromSources(merged, file);
  }

  /** Builds the typed configuration from values whose sources are already decided. */
  static BatcycleConfig fromSources(Map<Key, SourcedValue> merged, Optional<Path> file) {
    ConfigReader r = new ConfigReader(merged);
    var listener = new ListenerConfig(r.hostPort(Key.LISTEN), eventLoops(r),
        r.size(Key.LIMITS_MAX_HEADER_SIZE, 1024, 1 << 20), r.size(Key.LIMITS_MAX_REQUEST_LINE, 256, 1 << 20),
        r.duration(Key.TIMEOUTS_CLIENT_IDLE), r.duration(Key.TIMEOUTS_REQUEST_HEADER),
        r.integer(Key.LIMITS_MAX_CONNECTIONS, 0, 10_000_000));
    var upstream = new UpstreamConfig(r.url(Key.UPSTREAM),
        r.choice(Key.UPSTREAM_PROTOCOL, UpstreamProtocol::parse, UpstreamProtocol.HTTP1),
        r.integer(Key.POOL_MAX_CONNECTIONS, 1, 100_000), r.duration(Key.POOL_IDLE_TIMEOUT),
        r.positiveDuration(Key.TIMEOUTS_CONNECT), r.positiveDuration(Key.TIMEOUTS_RESPONSE),
        r.duration(Key.TIMEOUTS_UPSTREAM_IDLE));
    var headers = new HeaderConfig(r.bool(Key.HEADERS_PRESERVE_HOST), r.bool(Key.HEADERS_TRUST_FORWARDED),
        r.bool(Key.HEADERS_FORWARDED), r.bool(Key.HEADERS_VIA));
    var admin = r.hostPort(Key.ADMIN);
    var metrics = new MetricsConfig(r.durations(Key.METRICS_LATENCY_BUCKETS), r.routes(Key.METRICS_ROUTES));
    var accessLog = new AccessLogConfig(r.bool(Key.ACCESS_LOG_ENABLED),
        r.choice(Key.ACCESS_LOG_FORMAT, LogFormat::parse, LogFormat.JSON), r.bool(Key.ACCESS_LOG_INCLUDE_QUERY),
        r.ratio(Key.ACCESS_LOG_SAMPLE_SUCCESS), r.list(Key.ACCESS_LOG_EXCLUDE_PATHS),
        r.list(Key.ACCESS_LOG_HEADERS), r.list(Key.ACCESS_LOG_SECRET_HEADERS),
        r.integer(Key.ACCESS_LOG_QUEUE_SIZE, 16, 1_000_000));
    var observability = new ObservabilityConfig(r.bool(Key.TRACING_START_TRACES),
        r.choice(Key.LOG_FORMAT, LogFormat::parse, LogFormat.TEXT), r.path(Key.READINESS_PATH),
        r.positiveDuration(Key.READINESS_TIMEOUT));
    var lifecycle = new LifecycleConfig(r.duration(Key.DRAIN_DELAY), r.duration(Key.DRAIN_TIMEOUT),
        r.optionalDuration(Key.TERMINATION_GRACE_PERIOD), r.optionalDuration(Key.APP_KEEP_ALIVE_TIMEOUT),
        r.duration(Key.STARTUP_HOLD_TIMEOUT), r.integer(Key.STARTUP_MAX_HELD, 0, 1_000_000),
        r.bool(Key.READINESS_CHECK_APP), r.ipLiteral(Key.HOST_IP));
    var deadline = new DeadlineConfig(r.duration(Key.TIMEOUTS_REQUEST), upstream.responseTimeout());
    var retry = retry(r);
    var breaker = new BreakerConfig(r.bool(Key.BREAKER_ENABLED), r.integer(Key.BREAKER_FAILURE_RATE, 1, 100),
        r.integer(Key.BREAKER_MINIMUM_CALLS, 1, 1_000_000), r.wholeSeconds(Key.BREAKER_WINDOW, 1, 3600),
        r.positiveDuration(Key.BREAKER_OPEN_DURATION), r.integer(Key.BREAKER_HALF_OPEN_CALLS, 1, 1000),
        r.statuses(Key.BREAKER_STATUSES));
    var limits = new LimitConfig(r.integer(Key.LIMITS_MAX_CONCURRENT, 1, 1_000_000),
        r.integer(Key.LIMITS_QUEUE_SIZE, 0, 100_000), r.positiveDuration(Key.LIMITS_QUEUE_TIMEOUT),
        r.bool(Key.LIMITS_ADAPTIVE), r.integer(Key.LIMITS_ADAPTIVE_MIN_LIMIT, 1, 1_000_000));
    if (limits.adaptive() && limits.adaptiveMinLimit() > limits.maxConcurrent()) {
      r.problem(Key.LIMITS_ADAPTIVE_MIN_LIMIT,
          "expected at most limits.maxConcurrent (" + limits.maxConcurrent() + ")");
    }
    var rateLimit = new RateLimitConfig(r.integer(Key.RATE_LIMIT_LIMIT, 0, 10_000_000),
        r.positiveDuration(Key.RATE_LIMIT_PERIOD));
    IoTransport transport = r.choice(Key.TRANSPORT, IoTransport::parse, IoTransport.AUTO);
    boolean demo = r.bool(Key.DEMO);
    if (!r.problems().isEmpty()) {
      throw new ConfigException(r.problems());
    }
    return new BatcycleConfig(listener, upstream, admin, headers, metrics, accessLog, observability, deadline,
        retry, breaker, limits, rateLimit, lifecycle, transport, demo, file, merged);
  }

  private static RetryConfig retry(ConfigReader r) {
    var config = new RetryConfig(r.integer(Key.RETRY_MAX_ATTEMPTS, 1, 10), r.duration(Key.RETRY_BACKOFF_BASE),
        r.duration(Key.RETRY_BACKOFF_MAX), r.statuses(Key.RETRY_STATUSES),
        r.size(Key.RETRY_MAX_REPLAY_BYTES, 0, 16 << 20), r.duration(Key.RETRY_MAX_RETRY_AFTER),
        r.ratio(Key.RETRY_BUDGET_RATIO), r.integer(Key.RETRY_BUDGET_MIN_PER_SECOND, 0, 1_000_000),
        r.wholeSeconds(Key.RETRY_BUDGET_WINDOW, 1, 600));
    if (config.backoffMax().compareTo(config.backoffBase()) < 0) {
      r.problem(Key.RETRY_BACKOFF_MAX, "expected at least retry.backoffBase (" + Values.format(config.backoffBase())
          + ")");
    }
    return config;
  }

  private static int eventLoops(ConfigReader r) {
    return r.text(Key.EVENT_LOOPS).isBlank()
        ? Runtime.getRuntime().availableProcessors()
        : r.integer(Key.EVENT_LOOPS, 1, 256);
  }

  private static CommandSpec commandSpec() {
    CommandSpec spec = CommandSpec.create().name("java -jar batcycle.jar").mixinStandardHelpOptions(true);
    spec.usageMessage()
        .description("batcycle: a transparent HTTP reverse-proxy sidecar.",
            "Every option can also be set with the environment variable shown, or in the YAML file;",
            "flags override the environment, which overrides the file, which overrides the defaults.")
        .sortOptions(false);
    addOptions(spec);
    CommandSpec check = CommandSpec.create().name(CHECK).mixinStandardHelpOptions(true);
    check.usageMessage()
        .description("Validate the configuration without starting anything (no port is opened): print every key",
            "with its value and source (secrets redacted) and exit 0, or print every problem and exit 2.",
            "Takes the same options, environment variables and file as a normal start.")
        .sortOptions(false);
    addOptions(check);
    spec.addSubcommand(CHECK, check);
    return spec;
  }

  private static void addOptions(CommandSpec spec) {
    spec.addOption(OptionSpec.builder(CONFIG_FLAG).paramLabel("FILE").type(String.class)
        .description("YAML configuration file (env " + CONFIG_ENV + ").").build());
    for (Key key : Key.values()) {
      var option = OptionSpec.builder(key.flag()).paramLabel(key.valueHint()).type(String.class)
          .description(key.description() + (key.defaultValue().isEmpty() ? "" : " Default: " + key.defaultValue() + ".")
              + " Env " + key.envName() + "; YAML " + key.path() + ".");
      if (key.isBoolean()) {
        option.arity("0..1").fallbackValue("true");
      }
      spec.addOption(option.build());
    }
  }
}
