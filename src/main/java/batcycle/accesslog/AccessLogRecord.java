package batcycle.accesslog;

import java.util.Map;

/**
 * One finished exchange as the request log records it. Field names are the JSON keys, in snake_case, fixed:
 * dashboards and log queries depend on them.
 *
 * @param timestampMillis when the request arrived (epoch milliseconds)
 * @param direction       {@code inbound} (a client to the app) or {@code outbound} (the app to a remote)
 * @param upstream        {@code app}, or the outbound entry's name
 * @param upstreamHost    the address the last attempt went to ({@code 10.0.0.7:443}), or null if none
 * @param retryReasons    why each retry was made, comma-separated (e.g. {@code reset,status}), empty if none
 * @param flags           response flags (e.g. {@code UF,URX}), empty if none
 * @param headers         configured request headers to log, values already redacted where secret
 */
public record AccessLogRecord(long timestampMillis, String requestId, String traceId, String spanId, String client,
                              String method, String path, String protocol, String direction, String upstream,
                              String upstreamHost, int status, int upstreamStatus,
                              long bytesIn, long bytesOut, double durationMs, double upstreamMs, int attempts,
                              String retryReasons, String flags, String userAgent, Map<String, String> headers) {
  /** JSON keys, in the order written. */
  public static final String TS = "ts";
  public static final String REQUEST_ID = "request_id";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String CLIENT = "client";
  public static final String METHOD = "method";
  public static final String PATH = "path";
  public static final String PROTOCOL = "protocol";
  public static final String DIRECTION = "direction";
  public static final String UPSTREAM = "upstream";
  public static final String UPSTREAM_HOST = "upstream_host";
  public static final String STATUS = "status";
  public static final String UPSTREAM_STATUS = "upstream_status";
  public static final String BYTES_IN = "bytes_in";
  public static final String BYTES_OUT = "bytes_out";
  public static final String DURATION_MS = "duration_ms";
  public static final String UPSTREAM_MS = "upstream_ms";
  public static final String ATTEMPTS = "attempts";
  public static final String RETRY_REASONS = "retry_reasons";
  public static final String FLAGS = "flags";
  public static final String USER_AGENT = "user_agent";
  public static final String HEADERS = "headers";
}
