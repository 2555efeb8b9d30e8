package batcycle.config;

/** The {@code outbound.protocol} and {@code outbound.balancer} of one outbound entry. */
@Section("outbound")
public record OutboundRouting(OutboundProtocol protocol, Balancer balancer) {
  public OutboundRouting {
    Violations.of(OutboundRouting.class, protocol, balancer).throwIfAny();
  }
}
