package batcycle.config;

import java.time.Duration;

/**
 * Tracing, operational logging and readiness switches, gathered by {@link BatcycleConfig#observability()} from
 * {@code tracing}, {@code log} and {@code readiness}.
 *
 * @param readinessPath empty for a TCP check of the app, else the path of an HTTP GET
 */
public record ObservabilityConfig(boolean startTraces, LogFormat logFormat, String readinessPath,
                                  Duration readinessTimeout) {}
