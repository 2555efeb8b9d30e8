package batcycle.testing;

import batcycle.pipeline.BodyStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * A request body for unit tests: chunks queued with {@link #write} are delivered as the reader's demand allows
 * (it starts paused, like an inbound request), then the end. Records whether anyone ever asked it for data.
 */
public final class FakeBody extends BodyStream {
  private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
  private long demand;
  private boolean endQueued;
  private boolean ended;
  private boolean delivering;
  private boolean demanded;

  public FakeBody write(String chunk) {
    queued.add(Buffer.buffer(chunk));
    deliver();
    return this;
  }

  public FakeBody end() {
    endQueued = true;
    deliver();
    return this;
  }

  /** The client's upload breaks off. */
  public void fail(Throwable cause) {
    emitFailure(cause);
  }

  /** True once the end was delivered. */
  public boolean isEnded() {
    return ended;
  }

  /** True if a reader ever resumed or fetched: the body may have been (partly) consumed. */
  public boolean demanded() {
    return demanded;
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
    demanded = true;
    demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
    deliver();
    return this;
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && !queued.isEmpty()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        Buffer chunk = queued.poll();
        emitData(chunk);
      }
      if (demand > 0 && queued.isEmpty() && endQueued && !ended) {
        ended = true;
        emitEnd();
      }
    } finally {
      delivering = false;
    }
  }
}
