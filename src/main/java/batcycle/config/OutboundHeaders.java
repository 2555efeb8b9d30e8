package batcycle.config;

/** The {@code headers.host} of one outbound entry: the Host sent to the remote, empty for the remote's own name. */
@Section("outbound.headers")
public record OutboundHeaders(String host) {
  public OutboundHeaders {
    Violations.of(OutboundHeaders.class, host).throwIfAny();
  }
}
