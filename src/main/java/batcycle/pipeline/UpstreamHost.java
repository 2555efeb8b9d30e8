package batcycle.pipeline;

/**
 * The address an attempt went to, as the request log names it ({@code 10.0.0.7:443}). An exchange keeps the last
 * one, so a retry can prefer another address of the same remote.
 */
public interface UpstreamHost {
  /** {@code IP:PORT}, or {@code [IPv6]:PORT}. */
  String address();
}
