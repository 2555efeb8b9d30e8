package batcycle.errors;

/** The app could not be reached: connection refused or the address is unreachable. */
public final class UpstreamUnavailable extends ProxyFailure {
  public UpstreamUnavailable(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 502;
  }

  @Override
  public String code() {
    return "upstream_connect_failure";
  }
}
