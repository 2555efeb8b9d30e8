package batcycle.config;

import java.net.URI;
import java.time.Duration;

/**
 * The app behind batcycle and how connections to it are pooled and timed, gathered by
 * {@link BatcycleConfig#upstream()} from {@code upstream}, {@code upstreamProtocol}, {@code pool} and
 * {@code timeouts} (declared in {@link Key}, validated there).
 */
public record UpstreamConfig(URI url, UpstreamProtocol protocol, int maxConnections, Duration poolIdleTimeout,
                             Duration connectTimeout, Duration responseTimeout, Duration idleTimeout) {
  public String host() {
    return url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
  }

  public int port() {
    return url.getPort() == -1 ? 80 : url.getPort();
  }

  /** The URL to show in log lines: without userinfo, since {@code http://user:password@host} must never be logged. */
  public String displayUrl() {
    return url.getScheme() + "://" + authority();
  }

  /** {@code host:port} as the Host header names the upstream when the client's Host is not preserved. */
  public String authority() {
    return url.getHost() + ":" + port();
  }
}
