package batcycle.errors;

/**
 * Short codes for what went wrong in an exchange, in the spirit of Envoy's response flags, so a request-log line
 * says at a glance whether the app, the network, the client or batcycle itself was involved.
 */
public enum ResponseFlag {
  /** The connection to the app was refused or could not be made. */
  UPSTREAM_CONNECT_FAILURE("UF"),
  /** A remote's TLS certificate failed verification; the connection was refused. */
  UPSTREAM_TLS_VERIFICATION("UTV"),
  /** A timeout towards the app: connect, response head or idle. */
  UPSTREAM_TIMEOUT("UT"),
  /** The app reset or closed the connection mid-exchange. */
  UPSTREAM_RESET("UR"),
  /** The app's response was not valid HTTP. */
  UPSTREAM_PROTOCOL_ERROR("UPE"),
  /** The client went away before the response was complete. */
  CLIENT_DISCONNECT("DC"),
  /** The client was too slow sending its request. */
  CLIENT_TIMEOUT("CT"),
  /** batcycle answered itself instead of the app (any locally generated response). */
  LOCAL_REPLY("LR"),
  /** The request was malformed and rejected. */
  BAD_REQUEST("DPE"),
  /** Shed because batcycle or the app was at capacity. */
  OVERLOADED("OL"),
  /** Failed fast because the circuit breaker was open. */
  CIRCUIT_OPEN("UO"),
  /** A retry was wanted but the retry budget was spent. */
  RETRY_BUDGET_EXHAUSTED("URX"),
  /** Refused by the local rate limit. */
  RATE_LIMITED("RL"),
  /** Rejected while draining for shutdown. */
  DRAINING("DR");

  private final String code;

  ResponseFlag(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
