package batcycle.retry;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * A recorded request body sent again, with back-pressure: starts paused, emits its chunks as demand allows, then
 * ends. Confined to one event loop.
 */
final class ReplayStream implements ReadStream<Buffer> {
  private final List<Buffer> chunks;
  private int next;
  private long demand;
  private boolean emitting;
  private boolean endSent;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  ReplayStream(List<Buffer> chunks) {
    this.chunks = chunks;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this; // replaying memory cannot fail
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  private void drain() {
    if (emitting) {
      return; // a handler asked for more from inside an emission: the loop below picks it up
    }
    emitting = true;
    try {
      while (demand > 0 && next < chunks.size()) {
        Buffer chunk = chunks.get(next++);
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        if (handler != null) {
          // A copy per replay: the writer may take ownership of what it is given.
          handler.handle(chunk.copy());
        }
      }
      if (demand > 0 && next == chunks.size() && !endSent) {
        endSent = true;
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    } finally {
      emitting = false;
    }
  }
}
