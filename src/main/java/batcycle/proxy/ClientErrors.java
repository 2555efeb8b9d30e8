package batcycle.proxy;

import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client's broken connection is worth: a count by kind, and at most one log line a second per kind, with how
 * many were left out, never a stack trace. A hostile client must not be able to flood the log. Shared by every
 * event loop.
 */
final class ClientErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ClientErrors.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum Kind { RESET, HTTP2_PROTOCOL, MALFORMED, OTHER }

  private final Counter[] counters = new Counter[Kind.values().length];
  private final AtomicLong[] lastLogged = new AtomicLong[Kind.values().length];
  private final AtomicLong[] suppressed = new AtomicLong[Kind.values().length];

  ClientErrors(MeterRegistry registry, Tags tags) {
    for (Kind kind : Kind.values()) {
      counters[kind.ordinal()] = Counter.builder(MeterNames.CLIENT_ERRORS)
          .description("Client connections that ended in a protocol error or reset")
          .tag(MeterNames.TAG_REASON, kind.name().toLowerCase(java.util.Locale.ROOT)).tags(tags)
          .register(registry);
      lastLogged[kind.ordinal()] = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
      suppressed[kind.ordinal()] = new AtomicLong();
    }
  }

  void record(Throwable cause) {
    Kind kind = cause instanceof IOException ? Kind.RESET
        : cause instanceof Http2Exception || cause.getCause() instanceof Http2Exception ? Kind.HTTP2_PROTOCOL
        : cause instanceof DecoderException ? Kind.MALFORMED : Kind.OTHER;
    int i = kind.ordinal();
    counters[i].increment();
    long now = System.nanoTime();
    long last = lastLogged[i].get();
    if (now - last < LOG_EVERY_NANOS || !lastLogged[i].compareAndSet(last, now)) {
      suppressed[i].incrementAndGet();
      return;
    }
    long left = suppressed[i].getAndSet(0);
    if (kind == Kind.RESET) {
      LOG.debug("client connection ended: {}{}", cause.toString(), left > 0 ? " (" + left + " more not logged)" : "");
    } else {
      LOG.info("client connection ended on a protocol error: {}{}", cause.toString(),
          left > 0 ? " (" + left + " more in the last second not logged)" : "");
    }
  }
}
