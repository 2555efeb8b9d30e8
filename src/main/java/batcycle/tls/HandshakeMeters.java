package batcycle.tls;

import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts TLS handshakes on the proxy port: completed ones by TLS version, failed ones by {@link HandshakeFailure}.
 * A failure is one DEBUG line with its cause's message, never a stack trace: clients fail handshakes all the time
 * (scanners, expired trust stores), and a log must not be theirs to flood.
 */
public final class HandshakeMeters {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeMeters.class);
  private final MeterRegistry registry;
  private final Map<HandshakeFailure, Counter> failures = new EnumMap<>(HandshakeFailure.class);
  private final Map<String, Counter> completed = new ConcurrentHashMap<>();

  HandshakeMeters(MeterRegistry registry) {
    this.registry = registry;
    for (HandshakeFailure reason : HandshakeFailure.values()) {
      failures.put(reason, Counter.builder(MeterNames.TLS_HANDSHAKE_FAILURES)
          .tag(MeterNames.TAG_REASON, reason.label())
          .description("TLS handshakes on the proxy port that failed, by reason").register(registry));
    }
  }

  /** A handshake completed with {@code protocol} ({@code TLSv1.3}). */
  public void completed(String protocol) {
    completed.computeIfAbsent(protocol == null ? "unknown" : protocol, p -> Counter.builder(MeterNames.TLS_HANDSHAKES)
        .tag(MeterNames.TAG_PROTOCOL, p).description("TLS handshakes completed on the proxy port, by TLS version")
        .register(registry)).increment();
  }

  /** A handshake failed for {@code reason}; {@code cause} may be null. */
  public void failed(HandshakeFailure reason, Throwable cause) {
    failures.get(reason).increment();
    if (LOG.isDebugEnabled()) {
      LOG.debug("tls handshake failed ({}): {}", reason.label(), cause == null ? "-" : cause.getMessage());
    }
  }

  /** A handshake failed; the reason is read from {@code cause}. */
  public void failed(Throwable cause) {
    failed(HandshakeFailure.of(cause), cause);
  }
}
