package batcycle.proxy;

import batcycle.accesslog.AccessLogSink;
import batcycle.headers.SensitiveHeaders;
import batcycle.metrics.ProxyMeters;

/** What every proxy event loop shares: meters, the request-log sink and the secret-header list. */
public record ProxyDeps(ProxyMeters meters, AccessLogSink accessLog, SensitiveHeaders sensitiveHeaders) {}
