package batcycle.config;

import java.time.Duration;

/**
 * The {@code timeouts:} section. Zero turns off {@code request}, {@code upstreamIdle}, {@code clientIdle},
 * {@code requestHeader}, {@code requestBody} and {@code responseSend}; {@code connect} and {@code response} are
 * always above zero.
 */
@Section("timeouts")
public record TimeoutsConfig(Duration connect, Duration response, Duration request, Duration upstreamIdle,
                             Duration clientIdle, Duration requestHeader, Duration requestBody,
                             Duration responseSend) {
  public TimeoutsConfig {
    Violations.of(TimeoutsConfig.class, connect, response, request, upstreamIdle, clientIdle, requestHeader,
        requestBody, responseSend).throwIfAny();
  }
}
