package batcycle.config;

/**
 * The {@code headers:} section: switches of the header policy (the rules themselves live in {@code batcycle.headers}).
 *
 * @param clientCertHeader the header carrying the client certificate's subject to the app; empty for none
 */
@Section("headers")
public record HeaderConfig(boolean preserveHost, boolean trustForwarded, boolean forwarded, boolean via,
                           String clientCertHeader) {
  public HeaderConfig {
    Violations.of(HeaderConfig.class, preserveHost, trustForwarded, forwarded, via, clientCertHeader).throwIfAny();
  }
}
