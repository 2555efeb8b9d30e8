package batcycle.errors;

/** Shed because the concurrency limit and its queue were full, or the wait for a permit ran out. */
public final class Overloaded extends ProxyFailure {
  public Overloaded(String message) {
    super(message, null);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "overloaded";
  }

  @Override
  public boolean isRejection() {
    return true;
  }

  /** Overload is usually a burst: a second later is a fair guess, and well-behaved clients spread out. */
  @Override
  public long retryAfterSeconds() {
    return 1;
  }
}
