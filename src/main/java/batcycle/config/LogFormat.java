package batcycle.config;

import java.util.Locale;

/** Line format for logs: JSON for log pipelines, text for people. */
public enum LogFormat {
  JSON,
  TEXT;

  static LogFormat parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "json" -> JSON;
      case "text" -> TEXT;
      default -> throw new IllegalArgumentException("json or text");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
