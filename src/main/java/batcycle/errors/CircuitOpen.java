package batcycle.errors;

/** Failed fast because the circuit breaker on the app is open; never retried. */
public final class CircuitOpen extends ProxyFailure {
  private final long retryAfterSeconds;

  /** {@code retryAfterSeconds}: until the circuit lets probes through again (at least 1). */
  public CircuitOpen(String message, long retryAfterSeconds) {
    super(message, null);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "circuit_open";
  }

  @Override
  public boolean isRejection() {
    return true;
  }

  @Override
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
