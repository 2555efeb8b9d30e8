package batcycle.upstream;

import batcycle.config.IpLiteral;
import batcycle.config.OutboundEntry;
import batcycle.config.OutlierConfig;
import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of one upstream, shared by every event loop: the app's one address, or a remote's, from its URLs'
 * IP literals and names, each name resolved again and again on its TTL (an address that stays keeps its
 * {@link Endpoint}). It also decides passive health: an address that fails
 * {@code outlier.consecutiveFailures} attempts in a row is ejected from balancing for a while (as Envoy's outlier
 * detection does), within {@code outlier.maxEjectedPercent}, and never the last one in rotation.
 *
 * <p>{@link #endpoints()} is a lock-free read of the current array; changes (DNS answers, ejections) take the
 * monitor, briefly and never across I/O.
 */
public final class EndpointSet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointSet.class);
  private static final Endpoint[] NONE = new Endpoint[0];
  private static final int MAX_EJECTION_FACTOR = 10;

  private final String upstream;
  private final List<Target> targets;
  private final OutlierConfig outlier;
  private final NameResolution dns;
  private final Counter ejections;
  private final List<Runnable> onSettled = new ArrayList<>();
  private volatile Endpoint[] endpoints = NONE;
  private volatile boolean settled;
  private volatile boolean closed;

  private EndpointSet(String upstream, List<Target> targets, OutlierConfig outlier, NameResolution dns,
                      MeterRegistry registry, Tags tags) {
    this.upstream = upstream;
    this.targets = targets;
    this.outlier = outlier;
    this.dns = dns;
    this.ejections = Counter.builder(MeterNames.UPSTREAM_EJECTIONS).tags(tags)
        .description("Upstream addresses ejected from balancing after failures in a row").register(registry);
    Gauge.builder(MeterNames.UPSTREAM_ENDPOINTS, this, set -> set.count(false)).tags(tags)
        .tag(MeterNames.TAG_STATE, "healthy").description("Upstream addresses, by state").register(registry);
    Gauge.builder(MeterNames.UPSTREAM_ENDPOINTS, this, set -> set.count(true)).tags(tags)
        .tag(MeterNames.TAG_STATE, "ejected").description("Upstream addresses, by state").register(registry);
    rebuild();
  }

  /** The app behind the inbound listener: one fixed address, never ejected. */
  public static EndpointSet fixed(String upstream, Endpoint endpoint, MeterRegistry registry, Tags tags) {
    Target target = new Target(null, 0, endpoint.serverName(), endpoint.authority());
    target.current.put(endpoint.socketAddress().getAddress(), endpoint);
    target.done = true;
    return new EndpointSet(upstream, List.of(target), new OutlierConfig(0, Duration.ofSeconds(30), 0), null,
        registry, tags);
  }

  /**
   * A remote's addresses from its URLs: IP literals at once, names once {@link #start() resolved}.
   * {@code serverName} and {@code hostHeader}: the configured overrides, empty for each URL's own.
   */
  public static EndpointSet resolving(String upstream, List<URI> urls, String serverName, String hostHeader,
                                      OutlierConfig outlier, NameResolution dns, MeterRegistry registry, Tags tags) {
    List<Target> targets = new ArrayList<>();
    for (URI url : urls) {
      String host = OutboundEntry.host(url);
      Target target = new Target(host, OutboundEntry.port(url), serverName.isEmpty() ? host : serverName,
          hostHeader.isEmpty() ? OutboundEntry.authority(url) : hostHeader);
      Optional<InetAddress> literal = IpLiteral.parse(host);
      if (literal.isPresent()) {
        InetSocketAddress address = new InetSocketAddress(literal.get(), target.port);
        target.current.put(literal.get(), new Endpoint(address, target.serverName, target.authority));
        target.done = true;
      }
      targets.add(target);
    }
    return new EndpointSet(upstream, targets, outlier, dns, registry, tags);
  }

  /** Starts resolving the names (callable from any thread); a set of IP literals is settled already. */
  public void start() {
    for (Target target : targets) {
      if (!target.done) {
        refresh(target);
      }
    }
  }

  /** The current addresses; an array no one writes to once published. */
  public Endpoint[] endpoints() {
    return endpoints;
  }

  /** True once every name was answered at least once (with addresses or not). */
  public boolean settled() {
    return settled;
  }

  /** Runs {@code task} on {@code executor} once settled (at once if it is). */
  public void whenSettled(Executor executor, Runnable task) {
    synchronized (this) {
      if (!settled) {
        onSettled.add(() -> executor.execute(task));
        return;
      }
    }
    executor.execute(task);
  }

  /** Why there is no address, for the client's 502 and the log. */
  public String problem() {
    StringBuilder out = new StringBuilder();
    for (Target target : targets) {
      if (target.problem != null) {
        out.append(out.length() == 0 ? "" : "; ").append(target.problem);
      }
    }
    return out.length() == 0 ? "no address known for " + upstream : out.toString();
  }

  /** A successful attempt on {@code endpoint}. */
  public void succeeded(Endpoint endpoint) {
    if (endpoint.succeeded()) {
      synchronized (this) {
        if (!endpoint.ejected(System.nanoTime()) && endpoint.ejections() > 0) {
          endpoint.recovered();
          LOG.info("{}: {} is back in rotation", upstream, endpoint);
        }
      }
    }
  }

  /** A failed attempt on {@code endpoint} (connect or TLS failure, reset, timeout, 5xx). */
  public void failed(Endpoint endpoint) {
    if (outlier.enabled() && endpoint.failed() >= outlier.consecutiveFailures()) {
      eject(endpoint, System.nanoTime());
    }
  }

  private synchronized void eject(Endpoint endpoint, long now) {
    if (endpoint.ejected(now)) {
      return;
    }
    Endpoint[] all = endpoints;
    int ejected = 0;
    for (Endpoint e : all) {
      if (e.ejected(now)) {
        ejected++;
      }
    }
    int allowed = all.length < 2 ? 0 : Math.max(1, all.length * outlier.maxEjectedPercent() / 100);
    if (ejected >= allowed || ejected + 1 >= all.length) {
      return; // the last address in rotation stays: some answer beats none
    }
    int factor = Math.min(endpoint.ejections() + 1, MAX_EJECTION_FACTOR);
    long nanos = outlier.ejectionTime().toNanos() * factor;
    endpoint.eject(now + nanos);
    ejections.increment();
    LOG.warn("{}: {} ejected from balancing for {} ms after {} failed attempts in a row", upstream, endpoint,
        nanos / 1_000_000, outlier.consecutiveFailures());
  }

  /** Addresses ejected now ({@code true}) or in rotation ({@code false}). */
  private double count(boolean ejected) {
    long now = System.nanoTime();
    int n = 0;
    for (Endpoint e : endpoints) {
      if (e.ejected(now) == ejected) {
        n++;
      }
    }
    return n;
  }

  private void refresh(Target target) {
    if (closed) {
      return;
    }
    dns.resolve(target.host, (answer, failure) -> {
      if (closed) {
        return;
      }
      long delay;
      if (answer != null) {
        synchronized (this) {
          Map<InetAddress, Endpoint> next = new LinkedHashMap<>();
          for (InetAddress address : answer.addresses()) {
            Endpoint known = target.current.get(address);
            next.put(address, known != null ? known : new Endpoint(new InetSocketAddress(address, target.port),
                target.serverName, target.authority));
          }
          if (!next.keySet().equals(target.current.keySet())) {
            LOG.info("{}: {} resolves to {}", upstream, target.host, next.keySet().stream()
                .map(InetAddress::getHostAddress).toList());
          }
          target.current = next;
          target.problem = null;
        }
        delay = dns.refreshNanos(answer.ttlSeconds());
      } else {
        String reason = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (target.problem == null) {
          LOG.warn("{}: cannot resolve {} ({}); {}", upstream, target.host, reason, target.current.isEmpty()
              ? "no address known yet" : "keeping the " + target.current.size() + " address(es) known");
        }
        target.problem = "cannot resolve " + target.host + " (" + reason + ")";
        delay = dns.retryNanos();
      }
      target.done = true;
      rebuild();
      target.timer = dns.loop().schedule(() -> refresh(target), delay, TimeUnit.NANOSECONDS);
    });
  }

  private void rebuild() {
    List<Runnable> run = List.of();
    synchronized (this) {
      List<Endpoint> all = new ArrayList<>();
      boolean done = true;
      for (Target target : targets) {
        all.addAll(target.current.values());
        done &= target.done;
      }
      endpoints = all.toArray(NONE);
      if (done && !settled) {
        settled = true;
        run = List.copyOf(onSettled);
        onSettled.clear();
      }
    }
    run.forEach(Runnable::run);
  }

  @Override
  public void close() {
    closed = true;
    for (Target target : targets) {
      ScheduledFuture<?> timer = target.timer;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  @Override
  public String toString() {
    return upstream;
  }

  /** One URL of the upstream and the addresses it currently stands for. */
  private static final class Target {
    final String host;
    final int port;
    final String serverName;
    final String authority;
    volatile Map<InetAddress, Endpoint> current = new LinkedHashMap<>();
    volatile boolean done;
    volatile String problem;
    volatile ScheduledFuture<?> timer;

    Target(String host, int port, String serverName, String authority) {
      this.host = host;
      this.port = port;
      this.serverName = serverName;
      this.authority = authority;
    }
  }
}
