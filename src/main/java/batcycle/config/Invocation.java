package batcycle.config;

/** What the command line asked for: run with a configuration, only check it, or just print help or the version. */
public sealed interface Invocation {
  /** Start batcycle with this configuration. */
  record Run(BatcycleConfig config) implements Invocation {}

  /** {@code batcycle check}: the configuration is valid; print it and exit 0 without starting anything. */
  record Check(BatcycleConfig config) implements Invocation {}

  /** Print this text on stdout and exit 0. */
  record Print(String text) implements Invocation {}
}
