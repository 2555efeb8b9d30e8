package batcycle.config;

/** The {@code headers:} section: switches of the header policy (the rules themselves live in {@code batcycle.headers}). */
@Section("headers")
public record HeaderConfig(boolean preserveHost, boolean trustForwarded, boolean forwarded, boolean via) {
  public HeaderConfig {
    Violations.of(HeaderConfig.class, preserveHost, trustForwarded, forwarded, via).throwIfAny();
  }
}
