package batcycle.proxy;

import batcycle.config.ClientPaceConfig;
import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;

/**
 * The pace a client must keep, so that one sending or reading slowly cannot hold what other clients need: a request
 * body being read must not pause longer than {@code timeouts.requestBody} nor average less than
 * {@code limits.minRequestBodyRate} once past its grace period (Kestrel's rule), and a response must not wait for
 * the client longer than {@code timeouts.responseSend}. Time the client is not asked for data (its body waits for a
 * permit or for the app to take more) does not count against it. Holds the settings and counts the clients that fell
 * short by reason; shared by every event loop.
 */
final class ClientPace {
  static final String REASON_BODY_IDLE = "request_body_idle";
  static final String REASON_BODY_RATE = "request_body_rate";
  static final String REASON_RESPONSE_SEND = "response_send";
  private static final String GRPC = "application/grpc";

  private final int readAheadBytes;
  private final long bodyIdleNanos;
  private final int minBodyRate;
  private final long graceNanos;
  private final long responseSendMs;
  private final Counter bodyIdle;
  private final Counter bodyRate;
  private final Counter responseSend;

  /** {@code tags}: the listener's own (direction, outbound name), on every counter. */
  ClientPace(ClientPaceConfig config, MeterRegistry registry, Tags tags) {
    this.readAheadBytes = config.requestBodyBuffer();
    this.bodyIdleNanos = config.requestBodyIdle().toNanos();
    this.minBodyRate = config.minRequestBodyRate();
    this.graceNanos = config.rateGrace().toNanos();
    this.responseSendMs = config.responseSend().toMillis();
    this.bodyIdle = counter(registry, tags, REASON_BODY_IDLE);
    this.bodyRate = counter(registry, tags, REASON_BODY_RATE);
    this.responseSend = counter(registry, tags, REASON_RESPONSE_SEND);
  }

  private static Counter counter(MeterRegistry registry, Tags tags, String reason) {
    return Counter.builder(MeterNames.CLIENT_TIMEOUTS).tag(MeterNames.TAG_REASON, reason).tags(tags)
        .description("Requests and responses batcycle cut because the client sent or read too slowly")
        .register(registry);
  }

  /**
   * True for a gRPC call (or gRPC-Web): its request stream is interactive, a client may rightly send nothing for
   * minutes while it waits for the server, so it is neither read ahead nor held to a body pace (the app's idle
   * timeout, {@code timeouts.upstreamIdle}, still bounds it).
   */
  static boolean isInteractive(HttpHeaders headers) {
    String type = headers.get(batcycle.headers.HeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, GRPC, 0, GRPC.length());
  }

  /** Request body bytes read ahead before the app is involved; 0 when off. */
  int readAheadBytes() {
    return readAheadBytes;
  }

  boolean watchesBodies() {
    return bodyIdleNanos > 0 || minBodyRate > 0;
  }

  /** 0 when off. */
  long responseSendMs() {
    return responseSendMs;
  }

  /**
   * Why a body must be cut, given how long it has been waited for in all ({@code wantedNanos}), how long since its
   * last byte while waited for ({@code silentNanos}) and its bytes so far; null if it keeps the pace.
   */
  ProxyFailure bodyVerdict(long wantedNanos, long silentNanos, long bytes) {
    if (bodyIdleNanos > 0 && silentNanos >= bodyIdleNanos) {
      bodyIdle.increment();
      return ProxyFailure.of(FailureKind.REQUEST_TIMEOUT, "no request body data for "
          + TimeUnit.NANOSECONDS.toMillis(bodyIdleNanos) + " ms");
    }
    if (minBodyRate > 0 && wantedNanos >= graceNanos && wantedNanos > 0
        && bytes * 1_000_000_000.0 / wantedNanos < minBodyRate) {
      bodyRate.increment();
      return ProxyFailure.of(FailureKind.REQUEST_TIMEOUT, "request body arrived at "
          + Math.round(bytes * 1_000_000_000.0 / wantedNanos) + " bytes/s, below " + minBodyRate + " bytes/s");
    }
    return null;
  }

  void responseSendTimedOut() {
    responseSend.increment();
  }
}
