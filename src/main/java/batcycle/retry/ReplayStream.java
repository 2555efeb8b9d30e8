package batcycle.retry;

import batcycle.pipeline.BodyStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * A recorded request body sent again, with back-pressure: starts paused, emits its chunks as demand allows, then
 * ends. Confined to one event loop.
 */
final class ReplayStream extends BodyStream { // replaying memory never fails
  private final List<Buffer> chunks;
  private int next;
  private long demand;
  private boolean emitting;
  private boolean endSent;

  ReplayStream(List<Buffer> chunks) {
    this.chunks = chunks;
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
        // A copy per replay: the writer may take ownership of what it is given.
        emitData(chunk.copy());
      }
      if (demand > 0 && next == chunks.size() && !endSent) {
        endSent = true;
        emitEnd();
      }
    } finally {
      emitting = false;
    }
  }
}
