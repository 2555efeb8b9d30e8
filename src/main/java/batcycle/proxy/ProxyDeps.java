package batcycle.proxy;

import batcycle.accesslog.AccessLogSink;
import batcycle.drain.Drain;
import batcycle.headers.SensitiveHeaders;
import batcycle.metrics.ProxyMeters;
import batcycle.startup.AppProbe;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every proxy event loop shares: meters, the request-log sink, the secret-header list, the drain state, and
 * the start-up probe of the app with the count of requests held for it.
 */
public record ProxyDeps(ProxyMeters meters, AccessLogSink accessLog, SensitiveHeaders sensitiveHeaders,
                        Drain drain, AppProbe appProbe, AtomicInteger heldAtStartup) {}
