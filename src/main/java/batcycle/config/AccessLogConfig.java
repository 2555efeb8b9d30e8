package batcycle.config;

import java.util.List;

/** What the request log writes, and how much of it. */
public record AccessLogConfig(boolean enabled, LogFormat format, boolean includeQuery, double sampleSuccess,
                              List<String> excludePaths, List<String> headers, List<String> secretHeaders,
                              int queueSize) {
  public AccessLogConfig {
    excludePaths = List.copyOf(excludePaths);
    headers = List.copyOf(headers);
    secretHeaders = List.copyOf(secretHeaders);
  }
}
