package batcycle.proxy;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.upstream.Endpoint;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * One event loop's share of an {@link Upstream}: a pool set per address ({@link EndpointPools}), created on first
 * use and closed when DNS no longer names the address. Picks the address for each attempt (preferring another than
 * the previous attempt of the same request) and counts attempts in progress per address for the balancer. Attempts
 * that arrive before a remote's names were first answered wait for the answer, within their own timeout.
 *
 * <p>Confined to its event loop.
 */
final class LoopUpstream {
  private final ProxyLoop loop;
  private final Upstream upstream;
  private final Map<Endpoint, EndpointPools> pools = new IdentityHashMap<>();
  private final ArrayDeque<Attempt> unresolved = new ArrayDeque<>();
  private final EndpointPools only;
  /** Attempts in progress per address on this loop, for the balancer (one function, not one per pick). */
  private final ToIntFunction<Endpoint> load = endpoint -> {
    EndpointPools p = pools.get(endpoint);
    return p == null ? 0 : p.active();
  };
  private Endpoint[] known;
  private boolean closed;

  LoopUpstream(ProxyLoop loop, Upstream upstream) {
    this.loop = loop;
    this.upstream = upstream;
    Endpoint[] endpoints = upstream.endpoints().endpoints();
    // The app: one fixed address, so every attempt takes its pools without a lookup.
    this.only = !upstream.isRemote() && endpoints.length == 1 ? pools(endpoints[0]) : null;
    this.known = endpoints;
  }

  Upstream upstream() {
    return upstream;
  }

  ProxyLoop loop() {
    return loop;
  }

  /** Picks an address for {@code attempt} and hands it to that address's pools. */
  void acquire(Attempt attempt) {
    if (only != null) {
      attempt.endpoint(only);
      only.acquire(attempt);
      return;
    }
    Endpoint[] endpoints = upstream.endpoints().endpoints();
    if (endpoints != known) {
      forget(endpoints);
    }
    if (endpoints.length == 0) {
      if (!upstream.endpoints().settled()) {
        if (unresolved.isEmpty()) {
          upstream.endpoints().whenSettled(loop.eventLoop(), this::resolved);
        }
        unresolved.add(attempt);
      } else {
        attempt.connectFailed(ProxyFailure.of(FailureKind.CONNECT_REFUSED, upstream.endpoints().problem()));
      }
      return;
    }
    Endpoint chosen = upstream.picker().pick(endpoints, load, attempt.previousEndpoint());
    EndpointPools target = pools(chosen);
    attempt.endpoint(target);
    target.acquire(attempt);
  }

  /** The attempt gave up waiting. */
  void leave(Attempt attempt) {
    if (!unresolved.remove(attempt) && attempt.endpointPools() != null) {
      attempt.endpointPools().leave(attempt);
    }
  }

  private void resolved() {
    Attempt attempt;
    while ((attempt = unresolved.poll()) != null) {
      acquire(attempt);
    }
  }

  private EndpointPools pools(Endpoint endpoint) {
    EndpointPools existing = pools.get(endpoint);
    if (existing == null) {
      existing = new EndpointPools(this, endpoint);
      pools.put(endpoint, existing);
      if (closed) {
        existing.close();
      }
    }
    return existing;
  }

  /** DNS changed the addresses: pools of addresses no longer named close (busy connections finish first). */
  private void forget(Endpoint[] endpoints) {
    known = endpoints;
    List<Endpoint> current = List.of(endpoints);
    pools.entrySet().removeIf(e -> {
      if (!current.contains(e.getKey())) {
        e.getValue().close();
        return true;
      }
      return false;
    });
  }

  /** A drain or shutdown: idle connections close, busy ones after their exchange. */
  void close() {
    closed = true;
    pools.values().forEach(EndpointPools::close);
  }
}
