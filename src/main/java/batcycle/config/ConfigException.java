package batcycle.config;

import java.util.Collection;
import java.util.List;

/** Start-up stops on this: every configuration problem found, each naming its key, value and source. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;
  private final List<Violation> violations;

  public ConfigException(List<String> problems) {
    this(problems, List.of());
  }

  /** A config record's refusal: each value it refused, described without a source (the loader adds it). */
  ConfigException(Collection<Violation> violations) {
    this(violations.stream().map(Violation::describe).toList(), List.copyOf(violations));
  }

  private ConfigException(List<String> problems, List<Violation> violations) {
    super(String.join("; ", oneLineEach(problems)), null, false, false);
    this.problems = oneLineEach(problems);
    this.violations = violations;
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** One line per problem, in the order found. */
  public List<String> problems() {
    return problems;
  }

  /** The values a config record refused, when that is where the problems come from; else empty. */
  public List<Violation> violations() {
    return violations;
  }

  /**
   * Problems quote values, YAML keys and arguments as given; a line break or other control character in one (a
   * quoted YAML string, an argument) must not split a problem over lines or reach the terminal raw, so each is
   * written as an escape.
   */
  private static List<String> oneLineEach(List<String> problems) {
    return problems.stream().map(ConfigException::oneLine).toList();
  }

  private static String oneLine(String problem) {
    StringBuilder out = new StringBuilder(problem.length());
    for (int i = 0; i < problem.length(); i++) {
      char c = problem.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A start-up failure to bind, phrased for the operator: which key, which address, why. */
  public static ConfigException bindFailure(Key key, HostPort address, Throwable cause) {
    return bindFailure(key.path(), address, cause);
  }

  /** As above, for a setting named otherwise, such as an outbound entry's {@code outbound[payments].listen}. */
  public static ConfigException bindFailure(String setting, HostPort address, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (cause instanceof java.net.BindException || reason.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
      reason = "address already in use";
    }
    return new ConfigException(setting + ": cannot listen on " + address + " (" + reason + ")");
  }
}
