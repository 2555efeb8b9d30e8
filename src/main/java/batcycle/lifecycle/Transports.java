package batcycle.lifecycle;

import batcycle.config.ConfigException;
import batcycle.config.IoTransport;
import batcycle.config.Key;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the Vert.x transport for {@code transport}. io_uring cost 15–32 % less CPU per request than NIO here
 * (bench/README.md), but container runtimes' default seccomp profiles (Docker 25+, containerd 2.0) and
 * {@code kernel.io_uring_disabled} refuse it; Netty probes the real syscalls, so {@code auto} falls back to epoll,
 * then NIO, where a host says no. A transport named explicitly must be available: asking for it and silently
 * getting another would hide the very thing the operator wanted to control.
 */
final class Transports {
  /** The transport chosen, and why the faster ones were not. */
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
    for (Transport candidate : new Transport[] {Transport.IO_URING, Transport.EPOLL}) {
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
