package batcycle.config;

import java.time.Duration;

/**
 * The client-facing side: where the proxy listens and what it accepts, gathered by {@link BatcycleConfig#listener()}
 * from {@code listen}, {@code eventLoops}, {@code limits} and {@code timeouts} (declared in {@link Key}, validated
 * there). {@code requestHeaderTimeout} and {@code maxConnections} are zero when off.
 */
public record ListenerConfig(HostPort address, int eventLoops, int maxHeaderSize, int maxRequestLine,
                             Duration clientIdleTimeout, Duration requestHeaderTimeout, int maxConnections) {}
