package batcycle.errors;

/** The app answered with something that is not valid HTTP. */
public final class UpstreamProtocolError extends ProxyFailure {
  public UpstreamProtocolError(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 502;
  }

  @Override
  public String code() {
    return "upstream_protocol_error";
  }
}
