package batcycle.errors;

/** The request is malformed, too large or not something a reverse proxy serves; answered, never forwarded. */
public final class BadRequest extends ProxyFailure {
  private final int status;

  public BadRequest(int status, String message) {
    super(message, null);
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String code() {
    return switch (status) {
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 501 -> "not_implemented";
      default -> "bad_request";
    };
  }

  @Override
  public boolean isRejection() {
    return true;
  }
}
