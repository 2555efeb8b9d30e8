package batcycle.lifecycle;

import batcycle.config.ConfigException;
import batcycle.config.IoTransport;
import batcycle.config.Key;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the Vert.x transport for {@code transport}. {@code auto} takes epoll, which is what nginx and Envoy use:
 * in this project's benchmark io_uring cost about 10 % less CPU per request at saturation but about 15 % more at a
 * moderate rate (2,000 req/s), with a worse p99 there and slower streaming (bench/README.md), and the default
 * seccomp profiles of Docker 25+ and containerd 2.0 refuse it anyway. So io_uring is used when named, or when
 * epoll is missing; NIO is the last resort. A transport named explicitly must be available: asking for it and
 * silently getting another would hide the very thing the operator wanted to control.
 */
final class Transports {
  /** The transport chosen, and why the preferred ones were not. */
  record Choice(Transport transport, List<String> skipped) {
    String name() {
      return transport.name();
    }
  }

  private Transports() {}

  static Choice choose(IoTransport wanted) {
    return switch (wanted) {
      case NIO -> new Choice(Transport.NIO, List.of());
      case EPOLL -> required(Transport.EPOLL, "epoll");
      case IO_URING -> required(Transport.IO_URING, "io_uring");
      case AUTO -> firstAvailable();
    };
  }

  private static Choice firstAvailable() {
    List<String> skipped = new ArrayList<>();
    for (Transport candidate : new Transport[] {Transport.EPOLL, Transport.IO_URING}) {
      if (candidate != null && candidate.available()) {
        return new Choice(candidate, skipped);
      }
      if (candidate != null) {
        skipped.add(candidate.name() + ": " + reason(candidate));
      }
    }
    return new Choice(Transport.NIO, skipped);
  }

  static Choice required(Transport transport, String name) {
    if (transport == null || !transport.available()) {
      throw new ConfigException(Key.TRANSPORT.path() + ": '" + name + "' is not available on this host ("
          + (transport == null ? "not built into this jar" : reason(transport)) + "); use auto or nio");
    }
    return new Choice(transport, List.of());
  }

  private static String reason(Transport transport) {
    Throwable cause = transport.unavailabilityCause();
    return cause == null ? "unavailable" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
