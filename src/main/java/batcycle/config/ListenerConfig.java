package batcycle.config;

import java.time.Duration;

/** The client-facing side: where the proxy listens and what it accepts. */
public record ListenerConfig(HostPort address, int eventLoops, int maxHeaderSize, int maxRequestLine,
                             Duration clientIdleTimeout) {}
