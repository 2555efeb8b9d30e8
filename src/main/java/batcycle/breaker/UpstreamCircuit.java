package batcycle.breaker;

import batcycle.config.BreakerConfig;
import batcycle.metrics.MeterNames;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one circuit breaker on the app, shared by every event loop: a resilience4j {@link CircuitBreaker} used as a
 * policy object only (thread-safe, never blocks), with its state published as {@code batcycle_circuit_state}
 * gauges, its window's failure rate and calls, and a line for {@code /readyz}.
 */
public final class UpstreamCircuit {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCircuit.class);
  /** Values of the {@code state} tag; resilience4j's other states (forced open, disabled...) are never entered. */
  static final Set<String> STATES = Set.of("closed", "open", "half_open");

  private final Clock clock;
  /** Replaced together by a reload that changes {@code breaker.*}; in-flight attempts report to the one they asked. */
  private volatile CircuitBreaker breaker;
  private volatile BreakerConfig config;
  private final AtomicLong openedAtMillis = new AtomicLong();
  /** What the circuit guards, for log lines: the app, or an outbound remote. */
  private final String target;

  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry) {
    this(config, registry, Tags.empty(), Clock.systemUTC());
  }

  /** {@code tags}: the request path's own ({@code direction}, {@code upstream}), on every gauge. */
  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry, Tags tags) {
    this(config, registry, tags, Clock.systemUTC());
  }

  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry, Clock clock) {
    this(config, registry, Tags.empty(), clock);
  }

  /** {@code clock}: the breaker's clock (tests pass a fake one to move through the open state). */
  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry, Tags tags, Clock clock) {
    String upstream = tags.stream().filter(t -> t.getKey().equals(MeterNames.TAG_UPSTREAM)).map(Tag::getValue)
        .findFirst().orElse(MeterNames.UPSTREAM_APP);
    this.target = upstream.equals(MeterNames.UPSTREAM_APP) ? "the app" : "the remote " + upstream;
    this.config = config;
    this.clock = clock;
    this.breaker = create(config, clock);
    for (String state : STATES) {
      Gauge.builder(MeterNames.CIRCUIT_STATE, this, c -> c.state().equals(state) ? 1 : 0)
          .description("1 for the circuit breaker's current state, 0 for the others")
          .tag(MeterNames.TAG_STATE, state).tags(tags).register(registry);
    }
    // Read from the breaker's own window when scraped. resilience4j's event-driven meters would make it build an
    // event object (with a ZonedDateTime) for every attempt, and nothing else here needs its events.
    Gauge.builder(MeterNames.CIRCUIT_FAILURE_RATE, this, c -> c.breaker.getMetrics().getFailureRate())
        .description("Percent of the attempts in the window that failed; -1 until breaker.minimumCalls")
        .tags(tags).register(registry);
    Gauge.builder(MeterNames.CIRCUIT_CALLS, this, c -> c.breaker.getMetrics().getNumberOfSuccessfulCalls())
        .description("Attempts in the breaker's window, by outcome").tag(MeterNames.TAG_OUTCOME, "success")
        .tags(tags).register(registry);
    Gauge.builder(MeterNames.CIRCUIT_CALLS, this, c -> c.breaker.getMetrics().getNumberOfFailedCalls())
        .description("Attempts in the breaker's window, by outcome").tag(MeterNames.TAG_OUTCOME, "failure")
        .tags(tags).register(registry);
  }

  /**
   * New settings from a reload. resilience4j's settings are fixed per breaker, so a change makes a fresh one: its
   * window starts empty, and a circuit that was open stays open (for the new open duration from now) rather than
   * letting a failing app's traffic through because a setting changed.
   */
  public void reconfigure(BreakerConfig next) {
    if (next.equals(config)) {
      return;
    }
    CircuitBreaker fresh = create(next, clock);
    if (next.enabled() && breaker.getState() == CircuitBreaker.State.OPEN) {
      fresh.transitionToOpenState();
      openedAtMillis.set(clock.millis());
    }
    config = next;
    breaker = fresh;
  }

  private static CircuitBreaker create(BreakerConfig config, Clock clock) {
    CircuitBreakerConfig policy = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
        .slidingWindowSize((int) config.window().getSeconds())
        .minimumNumberOfCalls(config.minimumCalls())
        .failureRateThreshold(config.failureRatePercent())
        .waitDurationInOpenState(config.openDuration())
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
        // No scheduler thread: an open circuit turns half-open on the first request after openDuration.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .writableStackTraceEnabled(false)
        .clock(clock)
        .build();
    CircuitBreaker breaker = CircuitBreakerRegistry.of(policy).circuitBreaker("upstream");
    if (!config.enabled()) {
      breaker.transitionToDisabledState();
    }
    return breaker;
  }

  /** The resilience4j breaker; take a permission, then call exactly one of onSuccess, onError, releasePermission. */
  CircuitBreaker breaker() {
    return breaker;
  }

  /** Records a successful attempt with the breaker that permitted it (it may close a half-open circuit). */
  void onSuccess(CircuitBreaker permitted, long nanos) {
    CircuitBreaker.State before = permitted.getState();
    permitted.onSuccess(nanos, TimeUnit.NANOSECONDS);
    noticeTransition(permitted, before);
  }

  /** Records a failed attempt with the breaker that permitted it (it may open the circuit). */
  void onError(CircuitBreaker permitted, long nanos, Throwable failure) {
    CircuitBreaker.State before = permitted.getState();
    permitted.onError(nanos, TimeUnit.NANOSECONDS, failure);
    noticeTransition(permitted, before);
  }

  /**
   * Logs the openings and closings an outcome caused. Only outcomes open or close a circuit (half-open comes from
   * asking for a permission), so checking after each one sees every transition worth a line.
   */
  private void noticeTransition(CircuitBreaker breaker, CircuitBreaker.State before) {
    CircuitBreaker.State now = breaker.getState();
    if (now == before || breaker != this.breaker) {
      return;
    }
    if (now == CircuitBreaker.State.OPEN) {
      openedAtMillis.set(clock.millis());
      var metrics = breaker.getMetrics();
      LOG.warn("circuit to {} opened: {} % of {} attempts failed; failing fast with 503 for {}", target,
          String.format(Locale.ROOT, "%.1f", metrics.getFailureRate()), metrics.getNumberOfBufferedCalls(),
          config.openDuration());
    } else if (now == CircuitBreaker.State.CLOSED) {
      LOG.info("circuit to {} closed again: the probes succeeded", target);
    }
  }

  BreakerConfig config() {
    return config;
  }

  /** {@code closed}, {@code open} or {@code half_open}; a disabled breaker reads {@code closed}. */
  public String state() {
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "closed";
    };
  }

  /** Whole seconds until an open circuit lets probes through, at least 1. */
  long secondsUntilHalfOpen() {
    long remainingMs = openedAtMillis.get() + config.openDuration().toMillis() - clock.millis();
    return Math.max(1, (remainingMs + 999) / 1000);
  }

  /** One line for {@code /readyz}: the state and, when not closed, what it means. */
  public String describe() {
    if (!config.enabled()) {
      return "circuit breaker disabled";
    }
    var metrics = breaker.getMetrics();
    return switch (state()) {
      case "open" -> "circuit open (failing fast with 503; probing the app again in " + secondsUntilHalfOpen()
          + " s)";
      case "half_open" -> "circuit half-open (probing the app)";
      default -> "circuit closed (failure rate " + (metrics.getNumberOfBufferedCalls() < config.minimumCalls()
          ? "not yet measured" : String.format(Locale.ROOT, "%.1f %%", metrics.getFailureRate())) + ")";
    };
  }
}
