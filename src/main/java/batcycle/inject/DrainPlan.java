package batcycle.inject;

import batcycle.config.Key;
import batcycle.config.Values;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * batcycle's shutdown fitted into the pod's {@code terminationGracePeriodSeconds}. The component's timings are made
 * for its 45 s: drain.delay 5 s and drain.timeout 20 s (batcycle's defaults), and, as a classic sidecar, a preStop
 * sleep of 15 s (the classic overlay's) so batcycle outlives the app's in-flight requests. A pod that sets no grace
 * period gets the 45 s; a shorter one is kept (its owner chose it) and every timing shrinks in proportion, in whole
 * seconds, so that batcycle's start-up check finds the drain inside the grace period.
 *
 * @param graceSeconds the grace period the pod ends up with
 * @param addGrace whether the pod set none, so the component's must be added
 * @param drainDelay drain.delay to set, when not batcycle's default
 * @param drainTimeout drain.timeout to set, when not batcycle's default
 * @param classicSleepSeconds the preStop sleep of a classic sidecar
 */
record DrainPlan(int graceSeconds, boolean addGrace, Optional<Duration> drainDelay, Optional<Duration> drainTimeout,
                 int classicSleepSeconds) {
  /** The classic overlay's preStop sleep at the component's grace period (k8s/overlays/classic-sidecar). */
  static final int CLASSIC_SLEEP_SECONDS = 15;

  static DrainPlan fit(OptionalInt podGrace, int componentGrace) {
    if (podGrace.isEmpty()) {
      return new DrainPlan(componentGrace, true, Optional.empty(), Optional.empty(), CLASSIC_SLEEP_SECONDS);
    }
    int grace = podGrace.getAsInt();
    if (grace >= componentGrace) {
      return new DrainPlan(grace, false, Optional.empty(), Optional.empty(), CLASSIC_SLEEP_SECONDS);
    }
    long delay = Values.parseDuration(Key.DRAIN_DELAY.defaultValue()).toSeconds() * grace / componentGrace;
    long timeout = Values.parseDuration(Key.DRAIN_TIMEOUT.defaultValue()).toSeconds() * grace / componentGrace;
    return new DrainPlan(grace, false, Optional.of(Duration.ofSeconds(delay)), Optional.of(Duration.ofSeconds(timeout)),
        CLASSIC_SLEEP_SECONDS * grace / componentGrace);
  }
}
