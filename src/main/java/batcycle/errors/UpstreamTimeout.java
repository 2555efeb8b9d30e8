package batcycle.errors;

/** The app did not answer in time: connecting, waiting for the response head, or a stalled exchange. */
public final class UpstreamTimeout extends ProxyFailure {
  /** Which timeout fired; part of the code so operators can tell a dead app from a slow one. */
  public enum Phase { CONNECT, RESPONSE, IDLE }

  private final Phase phase;

  public UpstreamTimeout(Phase phase, String message) {
    super(message, null);
    this.phase = phase;
  }

  public Phase phase() {
    return phase;
  }

  @Override
  public int status() {
    return 504;
  }

  @Override
  public String code() {
    return switch (phase) {
      case CONNECT -> "upstream_connect_timeout";
      case RESPONSE -> "upstream_response_timeout";
      case IDLE -> "upstream_idle_timeout";
    };
  }
}
