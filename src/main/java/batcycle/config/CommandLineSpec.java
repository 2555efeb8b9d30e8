package batcycle.config;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line, derived from the declarations: one option per {@link Key} (its flag, value label and help text),
 * plus {@code --config}, the {@code check} command, {@code --help} and {@code --version}.
 */
final class CommandLineSpec {
  static final String CONFIG_FLAG = "--config";
  static final String CONFIG_ENV = "BATCYCLE_CONFIG";
  /** The subcommand that only validates and prints the configuration. */
  static final String CHECK = "check";
  /** Handled before this parser (batcycle.inject); registered so that --help lists it. */
  static final String INJECT = "inject";

  private CommandLineSpec() {}

  static CommandSpec create() {
    CommandSpec spec = CommandSpec.create().name("java -jar batcycle.jar").mixinStandardHelpOptions(true);
    spec.usageMessage()
        .description("batcycle: a transparent HTTP reverse-proxy sidecar.",
            "Every option can also be set with the environment variable shown, or in the YAML file;",
            "flags override the environment, which overrides the file, which overrides the defaults.",
            "Durations: 500ms, 1.5s, 1m30s, 2h (0 where allowed). Sizes: 65536, 64KiB (65536 bytes), 64KB (64000).")
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
    // Listed in --help only: Main hands "inject ..." to batcycle.inject before this parser sees it.
    CommandSpec inject = CommandSpec.create().name(INJECT);
    inject.parser().unmatchedArgumentsAllowed(true);
    inject.usageMessage().description("Add batcycle to Kubernetes YAML: inject FILE... (see inject --help).");
    spec.addSubcommand(INJECT, inject);
    return spec;
  }

  /** The help text of a key's option: what it does, its values, its default and its other two names. */
  static String help(Key key) {
    return key.description() + " Values: " + key.type().values() + "."
        + (key.defaultValue().isEmpty() ? "" : " Default: " + key.defaultValue() + ".")
        + " Env " + key.envName() + "; YAML " + key.path() + ".";
  }

  private static void addOptions(CommandSpec spec) {
    spec.addOption(OptionSpec.builder(CONFIG_FLAG).paramLabel("FILE").type(String.class)
        .description("YAML configuration file (env " + CONFIG_ENV + ").").build());
    for (Key key : Key.values()) {
      var option = OptionSpec.builder(key.flag()).paramLabel(key.valueHint()).type(String.class)
          .description(formatSafe(help(key)));
      if (key.isBoolean()) {
        option.arity("0..1").fallbackValue("true");
      }
      spec.addOption(option.build());
    }
  }

  /** picocli formats help text with {@code String.format}: a literal '%' ("20 %") must be doubled, else it warns. */
  private static String formatSafe(String text) {
    return text.replace("%", "%%");
  }
}
