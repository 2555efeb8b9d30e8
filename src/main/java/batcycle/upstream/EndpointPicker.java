package batcycle.upstream;

import batcycle.config.Balancer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;

/**
 * Chooses the address for one attempt, allocation-free. Candidates are the addresses in rotation (not ejected),
 * without the one the previous attempt of the same request used, when there is another; when every address is
 * ejected, all are candidates again (a panic mode, as Envoy's: some answer beats none). Among the candidates,
 * {@code least_request} takes the one with the fewest attempts in progress, {@code power_of_two} the less busy of
 * two picked at random; ties go to a random one, so loops do not all pile onto the first address.
 */
public final class EndpointPicker {
  private final Balancer balancer;

  public EndpointPicker(Balancer balancer) {
    this.balancer = balancer;
  }

  /** {@code load}: attempts in progress per address (this loop's); {@code avoid}: the previous attempt's, or null. */
  public Endpoint pick(Endpoint[] all, ToIntFunction<Endpoint> load, Endpoint avoid) {
    if (all.length == 1) {
      return all[0];
    }
    long now = System.nanoTime();
    int inRotation = 0;
    for (Endpoint e : all) {
      if (!e.ejected(now)) {
        inRotation++;
      }
    }
    boolean skipEjected = inRotation > 0;
    boolean skipAvoided = avoid != null && (skipEjected ? inRotation : all.length) > 1
        && (!skipEjected || !avoid.ejected(now));
    int candidates = (skipEjected ? inRotation : all.length) - (skipAvoided ? 1 : 0);
    if (candidates <= 0) {
      return all[0];
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (balancer == Balancer.POWER_OF_TWO && candidates > 2) {
      int first = random.nextInt(candidates);
      int second = random.nextInt(candidates - 1);
      if (second >= first) {
        second++;
      }
      Endpoint a = nth(all, first, now, skipEjected, skipAvoided ? avoid : null);
      Endpoint b = nth(all, second, now, skipEjected, skipAvoided ? avoid : null);
      return load.applyAsInt(b) < load.applyAsInt(a) ? b : a;
    }
    // Least request (and power of two among two): scan from a random start, keep the first least loaded.
    int start = random.nextInt(all.length);
    Endpoint best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < all.length; i++) {
      Endpoint e = all[(start + i) % all.length];
      if ((skipEjected && e.ejected(now)) || (skipAvoided && e == avoid)) {
        continue;
      }
      int l = load.applyAsInt(e);
      if (l < bestLoad) {
        best = e;
        bestLoad = l;
      }
    }
    return best;
  }

  /** The {@code n}-th candidate in array order. */
  private static Endpoint nth(Endpoint[] all, int n, long now, boolean skipEjected, Endpoint avoid) {
    for (Endpoint e : all) {
      if ((skipEjected && e.ejected(now)) || e == avoid) {
        continue;
      }
      if (n-- == 0) {
        return e;
      }
    }
    throw new IllegalStateException("fewer candidates than counted");
  }
}
