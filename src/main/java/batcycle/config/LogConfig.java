package batcycle.config;

/** The {@code log:} section: batcycle's own operational log (the request log is {@code accessLog}). */
@Section("log")
public record LogConfig(LogFormat format) {
  public LogConfig {
    Violations.of(LogConfig.class, format).throwIfAny();
  }
}
