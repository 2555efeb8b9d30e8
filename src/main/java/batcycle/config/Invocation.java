package batcycle.config;

/** What the command line asked for: run with a configuration, or just print help or the version. */
public sealed interface Invocation {
  /** Start batcycle with this configuration. */
  record Run(BatcycleConfig config) implements Invocation {}

  /** Print this text on stdout and exit 0. */
  record Print(String text) implements Invocation {}
}
