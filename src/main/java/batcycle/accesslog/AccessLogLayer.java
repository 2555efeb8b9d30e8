package batcycle.accesslog;

import batcycle.config.AccessLogConfig;
import batcycle.headers.HeaderNames;
import batcycle.headers.SensitiveHeaders;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.Outcome;
import batcycle.errors.ResponseFlag;
import batcycle.pipeline.UpstreamResponse;
import io.vertx.core.Future;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Outermost layer: when an exchange ends, however it ended (forwarded, rejected, cut short), builds one record
 * and hands it to the sink. Successful requests may be sampled and some paths excluded; failures always log.
 */
public final class AccessLogLayer implements Layer {
  private final AccessLogConfig config;
  private final AccessLogSink sink;
  private final SensitiveHeaders sensitive;
  private final List<String> exactExclusions;
  private final List<String> prefixExclusions;
  private final String direction;
  private final String upstream;

  public AccessLogLayer(AccessLogConfig config, AccessLogSink sink, SensitiveHeaders sensitive) {
    this(config, sink, sensitive, "inbound", "app");
  }

  /** {@code direction} and {@code upstream}: the request path's, written on every line. */
  public AccessLogLayer(AccessLogConfig config, AccessLogSink sink, SensitiveHeaders sensitive, String direction,
                        String upstream) {
    this.direction = direction;
    this.upstream = upstream;
    this.config = config;
    this.sink = sink;
    this.sensitive = sensitive;
    this.exactExclusions = config.excludePaths().stream().filter(p -> !p.endsWith("*")).toList();
    this.prefixExclusions = config.excludePaths().stream().filter(p -> p.endsWith("*"))
        .map(p -> p.substring(0, p.length() - 1)).toList();
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    // Taken now, before inner layers edit the headers into the request for the app (X-Forwarded-For grows).
    String userAgent = exchange.headers().get(HeaderNames.USER_AGENT);
    Map<String, String> logged = headers(exchange.headers());
    exchange.onEnd(outcome -> {
      if (shouldLog(exchange, outcome)) {
        sink.offer(record(exchange, outcome, userAgent, logged));
      }
    });
    return next.proceed(exchange);
  }

  private boolean shouldLog(Exchange exchange, Outcome outcome) {
    if (isExcluded(pathOnly(exchange.uri()))) {
      return false;
    }
    boolean success = outcome.completed() && outcome.status() < 400 && exchange.failure() == null;
    return !success || config.sampleSuccess() >= 1.0
        || ThreadLocalRandom.current().nextDouble() < config.sampleSuccess();
  }

  /** Runs for every request: a plain loop, no stream or lambda per call. */
  private boolean isExcluded(String path) {
    if (exactExclusions.contains(path)) {
      return true;
    }
    for (String prefix : prefixExclusions) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  AccessLogRecord record(Exchange exchange, Outcome outcome, String userAgent, Map<String, String> headers) {
    String uri = exchange.uri();
    var trace = exchange.trace();
    return new AccessLogRecord(exchange.startMillis(), exchange.requestId(),
        trace == null ? null : trace.traceId(), trace == null ? null : trace.spanId(),
        exchange.clientAddress(), exchange.method().name(),
        config.includeQuery() ? uri : pathOnly(uri), exchange.protocol().text(), direction, upstream,
        exchange.upstreamHost() == null ? null : exchange.upstreamHost().address(), outcome.status(),
        exchange.upstreamStatus(), exchange.bytesIn(), outcome.bytesOut(),
        (System.nanoTime() - exchange.startNanos()) / 1e6, exchange.upstreamNanos() / 1e6, exchange.attempts(),
        String.join(",", exchange.retryReasons()), flags(exchange), userAgent, headers);
  }

  private Map<String, String> headers(HttpHeaders request) {
    if (config.headers().isEmpty()) {
      return Map.of();
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : config.headers()) {
      String value = request.get(name);
      if (value != null) {
        values.put(name.toLowerCase(java.util.Locale.ROOT), sensitive.loggable(name, value));
      }
    }
    return values;
  }

  private static String flags(Exchange exchange) {
    if (exchange.flags().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (ResponseFlag flag : exchange.flags()) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(flag.code());
    }
    return out.toString();
  }

  static String pathOnly(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
