package batcycle.errors;

/** The request is malformed; batcycle answers it and never forwards it. */
public final class BadRequest extends ProxyFailure {
  public BadRequest(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String code() {
    return "bad_request";
  }
}
