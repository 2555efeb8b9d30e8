package batcycle.pipeline;

/**
 * How an exchange ended for the client.
 *
 * @param status     the status sent to the client (0 if none was sent)
 * @param bytesOut   response body bytes written to the client
 * @param completed  true if the response was sent whole; false if the client or the upstream cut it short
 */
public record Outcome(int status, long bytesOut, boolean completed) {}
