package batcycle.errors;

/** Refused by the local rate limit (429). */
public final class RateLimited extends ProxyFailure {
  private final long retryAfterSeconds;

  /** {@code retryAfterSeconds}: until the next period brings new permits (at least 1). */
  public RateLimited(String message, long retryAfterSeconds) {
    super(message, null);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  @Override
  public int status() {
    return 429;
  }

  @Override
  public String code() {
    return "rate_limited";
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
