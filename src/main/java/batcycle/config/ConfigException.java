package batcycle.config;

import java.util.List;

/** Start-up stops on this: every configuration problem found, each naming its key, value and source. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** One line per problem, in the order found. */
  public List<String> problems() {
    return problems;
  }

  /** A start-up failure to bind, phrased for the operator: which key, which address, why. */
  public static ConfigException bindFailure(Key key, HostPort address, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (cause instanceof java.net.BindException || reason.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
      reason = "address already in use";
    }
    return new ConfigException(key.path() + ": cannot listen on " + address + " (" + reason + ")");
  }
}
