package batcycle.config;

import java.util.List;

/**
 * One value a config record refused: which key, the value, what was expected, and the other keys the rule compares
 * it with (so the loader can leave the rule out when one of those was itself unreadable).
 */
public record Violation(Key key, Object value, String expected, List<Key> related) {
  public Violation {
    related = List.copyOf(related);
  }

  /** {@code section.field: value (expected ...)}, as a record built in code reports it. */
  String describe() {
    return key.path() + ": " + Redaction.configValue(key.path(), shown(value)) + " (expected " + expected + ")";
  }

  private static String shown(Object value) {
    if (value instanceof java.time.Duration d) {
      return Values.format(d);
    }
    if (value instanceof java.util.Optional<?> o) {
      return o.map(Violation::shown).orElse("(none)");
    }
    return String.valueOf(value);
  }
}
