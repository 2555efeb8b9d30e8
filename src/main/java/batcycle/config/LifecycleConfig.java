package batcycle.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Start-up and shutdown behaviour, gathered by {@link BatcycleConfig#lifecycle()} from {@code drain},
 * {@code startup}, {@code readiness.checkApp}, {@code terminationGracePeriod}, {@code appKeepAliveTimeout} and
 * {@code hostIp}.
 *
 * @param terminationGracePeriod the pod's grace period when the manifest passes it, to check the drain fits
 * @param appKeepAliveTimeout    the app's keep-alive timeout when known, to check the pool closes idle first
 * @param hostIp                 the node's IP, from which the kubelet runs preStop hooks; empty if not given
 */
public record LifecycleConfig(Duration drainDelay, Duration drainTimeout, Optional<Duration> terminationGracePeriod,
                              Optional<Duration> appKeepAliveTimeout, Duration startupHoldTimeout,
                              int startupMaxHeld, boolean readinessChecksApp, String hostIp) {}
