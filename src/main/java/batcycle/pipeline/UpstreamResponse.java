package batcycle.pipeline;

import io.netty.handler.codec.http.HttpResponse;

/**
 * The app's response head with its body not yet flowing, so a layer can still retry or replace it before it is
 * relayed. Whoever takes it either relays the body to its end, or calls {@link #abort} (the exchange with the app
 * is reset and its connection not reused).
 */
public interface UpstreamResponse {
  /** Status and headers as the app sent them; the relay edits them in place into the client's response. */
  HttpResponse head();

  default int status() {
    return head().status().code();
  }

  Body body();

  /** Abandons the response; idempotent. */
  void abort();
}
