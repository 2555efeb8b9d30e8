package batcycle.breaker;

import batcycle.errors.FailureKind;
import batcycle.errors.ProxyFailure;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.Layer;
import batcycle.pipeline.Next;
import batcycle.pipeline.UpstreamResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import java.util.Set;

/**
 * Fails fast with 503 while the circuit on the app is open, and reports every attempt's outcome to it. Sits
 * inside the retry layer, so each attempt counts once. Only failures that say the app is unwell count: connect
 * failures, timeouts, resets, invalid responses and the configured statuses (502, 503, 504 by default); a 500 is
 * an application error about one request, and a client going away says nothing about the app.
 */
public final class CircuitBreakerLayer implements Layer {
  private final UpstreamCircuit circuit;
  private final CircuitBreaker breaker;
  private final Set<Integer> failureStatuses;

  public CircuitBreakerLayer(UpstreamCircuit circuit) {
    this.circuit = circuit;
    this.breaker = circuit.breaker();
    this.failureStatuses = circuit.config().statuses();
  }

  @Override
  public Future<UpstreamResponse> handle(Exchange exchange, Next next) {
    if (!breaker.tryAcquirePermission()) {
      return Future.failedFuture(ProxyFailure.retryLater(FailureKind.CIRCUIT_OPEN, "the app failed too often "
          + "recently; batcycle fails fast until probes succeed", circuit.secondsUntilHalfOpen()));
    }
    long start = System.nanoTime();
    return next.proceed(exchange).andThen(ar -> {
      long nanos = System.nanoTime() - start;
      if (ar.succeeded()) {
        UpstreamResponse response = ar.result();
        if (response != null && failureStatuses.contains(response.status())) {
          circuit.onError(breaker, nanos, new FailureStatus(response.status()));
        } else {
          circuit.onSuccess(breaker, nanos);
        }
      } else if (countsAgainstApp(ar.cause()) && !exchange.isCancelled()) {
        circuit.onError(breaker, nanos, ar.cause());
      } else {
        breaker.releasePermission(); // says nothing about the app's health
      }
    });
  }

  private static boolean countsAgainstApp(Throwable failure) {
    return failure instanceof ProxyFailure known && known.kind().countsAgainstApp();
  }

  /** What the breaker records for a failure status; cheap, no stack trace. */
  private static final class FailureStatus extends RuntimeException {
    FailureStatus(int status) {
      super("the app answered " + status, null, false, false);
    }
  }
}
