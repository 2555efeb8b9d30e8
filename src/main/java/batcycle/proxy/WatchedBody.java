package batcycle.proxy;

import batcycle.pipeline.BodyStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A body on its way through a pipe that says when its own side failed. A failed pipe does not tell whether the
 * source or the destination broke, and the pipe takes the source's exception handler, so a client resetting
 * mid-upload (source) or mid-download (destination) was blamed on the app: flagged UR, counted by the circuit
 * breaker, and answered with a 502 to nobody. {@code onSourceFailure} runs before the pipe sees the failure.
 *
 * <p>Create it right before piping, on the event loop of the exchange; it takes the source's handlers.
 */
final class WatchedBody extends BodyStream {
  private final ReadStream<Buffer> source;

  WatchedBody(ReadStream<Buffer> source, Runnable onSourceFailure) {
    this.source = source;
    source.handler(this::emitData);
    source.endHandler(v -> emitEnd());
    source.exceptionHandler(cause -> {
      onSourceFailure.run();
      emitFailure(cause);
    });
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }
}
