package batcycle.breaker;

import batcycle.config.BreakerConfig;
import batcycle.metrics.MeterNames;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one circuit breaker on the app, shared by every event loop: a resilience4j {@link CircuitBreaker} used as a
 * policy object only (thread-safe, never blocks), with its state published as {@code batcycle_circuit_state}
 * gauges, resilience4j's own meters (failure rate, calls) and a line for {@code /readyz}.
 */
public final class UpstreamCircuit {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCircuit.class);
  /** Values of the {@code state} tag; resilience4j's other states (forced open, disabled...) are never entered. */
  static final Set<String> STATES = Set.of("closed", "open", "half_open");

  private final CircuitBreaker breaker;
  private final BreakerConfig config;
  private final Clock clock;
  private final AtomicLong openedAtMillis = new AtomicLong();

  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry) {
    this(config, registry, Clock.systemUTC());
  }

  /** {@code clock}: the breaker's clock (tests pass a fake one to move through the open state). */
  public UpstreamCircuit(BreakerConfig config, MeterRegistry registry, Clock clock) {
    this.config = config;
    this.clock = clock;
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
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(policy);
    breaker = breakers.circuitBreaker("upstream");
    if (!config.enabled()) {
      breaker.transitionToDisabledState();
    }
    breaker.getEventPublisher().onStateTransition(event -> {
      var to = event.getStateTransition().getToState();
      if (to == CircuitBreaker.State.OPEN) {
        openedAtMillis.set(clock.millis());
        var metrics = breaker.getMetrics();
        LOG.warn("circuit to the app opened: {} % of {} attempts failed; failing fast with 503 for {}",
            String.format(Locale.ROOT, "%.1f", metrics.getFailureRate()), metrics.getNumberOfBufferedCalls(),
            config.openDuration());
      } else if (to == CircuitBreaker.State.CLOSED) {
        LOG.info("circuit to the app closed again: the probes succeeded");
      }
    });
    for (String state : STATES) {
      Gauge.builder(MeterNames.CIRCUIT_STATE, this, c -> c.state().equals(state) ? 1 : 0)
          .description("1 for the circuit breaker's current state, 0 for the others")
          .tag(MeterNames.TAG_STATE, state).register(registry);
    }
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
  }

  /** The resilience4j breaker; take a permission, then call exactly one of onSuccess, onError, releasePermission. */
  CircuitBreaker breaker() {
    return breaker;
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
