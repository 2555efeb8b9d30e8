package batcycle.config;

/** The {@code tracing:} section: W3C trace context. */
@Section("tracing")
public record TracingConfig(boolean startTraces) {
  public TracingConfig {
    Violations.of(TracingConfig.class, startTraces).throwIfAny();
  }
}
