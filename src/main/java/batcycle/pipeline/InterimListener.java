package batcycle.pipeline;

import io.netty.handler.codec.http.HttpResponse;

/** Where an interim (1xx) response from the app goes: to the client, if it can take one. */
@FunctionalInterface
public interface InterimListener {
  /** {@code head}: the app's interim response; the listener may edit its headers. */
  void interim(HttpResponse head);
}
