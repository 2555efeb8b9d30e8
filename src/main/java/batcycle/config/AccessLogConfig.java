package batcycle.config;

import java.util.List;

/** The {@code accessLog:} section: what the request log writes, and how much of it. */
@Section("accessLog")
public record AccessLogConfig(boolean enabled, LogFormat format, boolean includeQuery, double sampleSuccess,
                              List<String> excludePaths, List<String> headers, List<String> secretHeaders,
                              int queueSize) {
  public AccessLogConfig {
    Violations.of(AccessLogConfig.class, enabled, format, includeQuery, sampleSuccess, excludePaths, headers,
        secretHeaders, queueSize).throwIfAny();
    excludePaths = List.copyOf(excludePaths);
    headers = List.copyOf(headers);
    secretHeaders = List.copyOf(secretHeaders);
  }
}
