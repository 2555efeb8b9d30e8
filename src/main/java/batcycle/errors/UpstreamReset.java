package batcycle.errors;

/** The app closed or reset the connection before its response was complete. */
public final class UpstreamReset extends ProxyFailure {
  public UpstreamReset(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 502;
  }

  @Override
  public String code() {
    return "upstream_reset";
  }
}
