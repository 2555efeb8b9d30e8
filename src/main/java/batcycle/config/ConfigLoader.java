package batcycle.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
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
  private static final String CONFIG_FLAG = CommandLineSpec.CONFIG_FLAG;
  private static final String CONFIG_ENV = CommandLineSpec.CONFIG_ENV;
  private static final String CHECK = CommandLineSpec.CHECK;

  private ConfigLoader() {}

  /**
   * Parses the command line and environment: a start, {@code check} (the same options, only validated), help or
   * the version. Throws {@link ConfigException} listing every problem.
   */
  public static Invocation load(String[] args, Map<String, String> env) {
    CommandLine cli = new CommandLine(CommandLineSpec.create());
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
    if (check != null && check.commandSpec().name().equals(CommandLineSpec.INJECT)) {
      throw new ConfigException("inject takes no batcycle settings and must come first: java -jar batcycle.jar "
          + "inject FILE... (see inject --help)");
    }
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
    BatcycleConfig config = readAndBuild(flags, environment, file);
    return check != null ? new Invocation.Check(config) : new Invocation.Run(config);
  }

  /**
   * The configuration a reload would run with: the file read again, the flags and environment variables as they were
   * at start-up (a running process sees neither change), merged and validated exactly as at start-up. Throws
   * {@link ConfigException} listing every problem, as start-up would.
   */
  public static BatcycleConfig reread(BatcycleConfig running) {
    Map<Key, String> flags = new EnumMap<>(Key.class);
    Map<Key, String> environment = new EnumMap<>(Key.class);
    running.sources().forEach((key, value) -> {
      if (value.isFlag()) {
        flags.put(key, value.text());
      } else if (value.isEnvironment()) {
        environment.put(key, value.text());
      }
    });
    return readAndBuild(flags, environment, running.configFile());
  }

  /**
   * Reads the YAML file, if any, and builds the configuration from it and the flags and environment variables.
   * Throws {@link ConfigException} listing every problem of the file and of the values.
   */
  private static BatcycleConfig readAndBuild(Map<Key, String> flags, Map<Key, String> environment,
                                             Optional<Path> file) {
    List<String> problems = new ArrayList<>();
    Map<String, Map<Key, String>> yamlEntries = new LinkedHashMap<>();
    Map<Key, String> yaml = file.map(f -> YamlFile.read(f, problems, yamlEntries)).orElse(Map.of());
    // Check the values too even when the file has problems, so one start-up reports everything to fix.
    BatcycleConfig config = null;
    try {
      config = fromValues(flags, environment, yaml, yamlEntries, file);
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** Merges the sources by precedence and builds the typed configuration. */
  static BatcycleConfig fromValues(Map<Key, String> flags, Map<Key, String> env, Map<Key, String> yaml,
                                   Optional<Path> file) {
    return fromValues(flags, env, yaml, Map.of(), file);
  }

  /** As above; {@code yamlEntries}: the settings each outbound entry of the file sets itself, by entry name. */
  static BatcycleConfig fromValues(Map<Key, String> flags, Map<Key, String> env, Map<Key, String> yaml,
                                   Map<String, Map<Key, String>> yamlEntries, Optional<Path> file) {
    Map<Key, SourcedValue> merged = new EnumMap<>(Key.class);
    for (Key key : Key.values()) {
      if (flags.containsKey(key)) {
        merged.put(key, SourcedValue.flag(key, flags.get(key)));
      } else if (env.containsKey(key)) {
        merged.put(key, SourcedValue.env(key, env.get(key)));
      } else if (yaml.containsKey(key)) {
        merged.put(key, SourcedValue.file(file, yaml.get(key)));
      } else {
        merged.put(key, SourcedValue.defaultOf(key));
      }
    }
    Map<String, Map<Key, SourcedValue>> entries = new LinkedHashMap<>();
    yamlEntries.forEach((name, settings) -> {
      Map<Key, SourcedValue> own = new EnumMap<>(Key.class);
      settings.forEach((key, text) -> own.put(key, SourcedValue.file(file, text)));
      entries.put(name, own);
    });
    return fromSources(merged, file, entries);
  }

  /** The demo's outbound entry: the demo app calls a demo remote through it (see DemoApp). */
  public static final String DEMO_OUTBOUND = "remote=127.0.0.1:9001=http://127.0.0.1:8081";
  private static final String DEMO_SOURCE = "default with --demo";

  /** With --demo and no outbound entry set anywhere, the demo's own entry; without --demo, never that one. */
  private static Map<Key, SourcedValue> withDemoEntry(Map<Key, SourcedValue> merged) {
    SourcedValue outbound = merged.get(Key.OUTBOUND);
    boolean demoDefault = outbound.source().equals(DEMO_SOURCE);
    if (!demoDefault && !outbound.source().equals("default") || isTrue(merged.get(Key.DEMO).text()) == demoDefault) {
      return merged;
    }
    Map<Key, SourcedValue> changed = new EnumMap<>(merged);
    changed.put(Key.OUTBOUND, demoDefault ? new SourcedValue(Key.OUTBOUND.defaultValue(), "default")
        : new SourcedValue(DEMO_OUTBOUND, DEMO_SOURCE));
    return changed;
  }

  private static boolean isTrue(String text) {
    try {
      return Values.parseBoolean(text);
    } catch (IllegalArgumentException e) {
      return false; // reported where demo is read
    }
  }

  /** Builds the typed configuration from values whose sources are already decided. */
  static BatcycleConfig fromSources(Map<Key, SourcedValue> merged, Optional<Path> file) {
    return fromSources(merged, file, Map.of());
  }

  /** As above; {@code entries}: the settings each outbound entry sets itself, by entry name. */
  static BatcycleConfig fromSources(Map<Key, SourcedValue> given, Optional<Path> file,
                                    Map<String, Map<Key, SourcedValue>> entries) {
    Map<Key, SourcedValue> merged = withDemoEntry(given);
    ConfigReader r = new ConfigReader(merged);
    // The per-entry settings as flags or variables give them, checked once here rather than in every entry.
    r.section(OutboundRouting.class);
    r.section(OutboundHeaders.class);
    r.section(OutboundTlsConfig.class);
    r.section(OutlierConfig.class);
    List<String> entryProblems = new ArrayList<>();
    List<OutboundConfig> outbound = outbound(r.get(Key.OUTBOUND), merged, file, entries, entryProblems);
    BatcycleConfig config = r.validated(() -> build(r, outbound, file, merged), () -> null);
    List<String> problems = new ArrayList<>(r.problems());
    problems.addAll(entryProblems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  private static BatcycleConfig build(ConfigReader r, List<OutboundConfig> outbound, Optional<Path> file,
                                      Map<Key, SourcedValue> values) {
    return new BatcycleConfig(r.get(Key.LISTEN), r.get(Key.UPSTREAM),
        r.get(Key.ADMIN), r.get(Key.CONFIG_ACCESS), r.get(Key.UPSTREAM_PROTOCOL), r.get(Key.EVENT_LOOPS),
        r.get(Key.TRANSPORT), r.get(Key.TERMINATION_GRACE_PERIOD), r.get(Key.APP_KEEP_ALIVE_TIMEOUT),
        r.get(Key.HOST_IP), r.get(Key.DEMO), outbound,
        r.section(PoolConfig.class), r.section(TimeoutsConfig.class), r.section(LimitConfig.class),
        r.section(RateLimitConfig.class), r.section(BufferConfig.class), r.section(RetryConfig.class), r.section(BreakerConfig.class),
        r.section(HeaderConfig.class), r.section(MetricsConfig.class), r.section(AccessLogConfig.class),
        r.section(TracingConfig.class), r.section(LogConfig.class), r.section(ReadinessConfig.class),
        r.section(DrainConfig.class), r.section(StartupConfig.class), r.section(TlsConfig.class),
        r.section(ReloadConfig.class), r.section(DnsConfig.class), file, values);
  }

  /**
   * Each outbound entry with its settings: the top-level values, overridden by those the entry sets itself. Only
   * problems with the entry's own values are reported for it; the others were reported at the top.
   */
  private static List<OutboundConfig> outbound(List<OutboundEntry> named, Map<Key, SourcedValue> merged,
                                               Optional<Path> file, Map<String, Map<Key, SourcedValue>> entries,
                                               List<String> problems) {
    List<OutboundConfig> out = new ArrayList<>();
    for (OutboundEntry entry : named) {
      Map<Key, SourcedValue> own = entries.getOrDefault(entry.name(), Map.of());
      Map<Key, SourcedValue> values = new EnumMap<>(merged);
      values.putAll(own);
      String source = merged.get(Key.OUTBOUND).source();
      values.put(Key.OUTBOUND, new SourcedValue("", source));
      values.put(Key.LISTEN, new SourcedValue(entry.listen().toString(), source));
      ConfigReader r = new ConfigReader(values, "outbound[" + entry.name() + "]", own.keySet());
      OutboundRouting routing = r.section(OutboundRouting.class);
      OutboundHeaders headers = r.section(OutboundHeaders.class);
      OutboundTlsConfig tls = r.section(OutboundTlsConfig.class);
      OutlierConfig outlier = r.section(OutlierConfig.class);
      BatcycleConfig settings = r.validated(() -> build(r, List.of(), file, values), () -> null);
      problems.addAll(r.problems());
      if (settings != null) {
        out.add(new OutboundConfig(entry, routing, headers, tls, outlier, settings, own));
      }
    }
    return out;
  }
}
