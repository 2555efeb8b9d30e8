package batcycle.testing;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A request body for unit tests: pieces queued with {@link #write} are delivered once someone subscribes and while
 * they are not paused, then the end. Records whether anyone ever asked it for data; releases what nobody took.
 */
public final class FakeBody implements Body {
  private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
  private BodyReceiver receiver;
  private Throwable failure;
  private boolean paused;
  private boolean endQueued;
  private boolean ended;
  private boolean delivering;
  private boolean demanded;

  public FakeBody write(String piece) {
    queued.add(Unpooled.copiedBuffer(piece, StandardCharsets.UTF_8));
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
    failure = cause;
    releaseQueued();
    if (receiver != null) {
      receiver.failed(cause);
    }
  }

  /** True once the end was delivered. */
  public boolean isEnded() {
    return ended;
  }

  /** True if a reader ever subscribed or resumed: the body may have been (partly) consumed. */
  public boolean demanded() {
    return demanded;
  }

  @Override
  public void subscribe(BodyReceiver receiver) {
    this.receiver = receiver;
    demanded = true;
    if (failure != null) {
      receiver.failed(failure);
      return;
    }
    deliver();
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    demanded = true;
    paused = false;
    deliver();
  }

  @Override
  public void discard() {
    releaseQueued();
  }

  private void releaseQueued() {
    ByteBuf piece;
    while ((piece = queued.poll()) != null) {
      piece.release();
    }
  }

  private void deliver() {
    if (delivering || receiver == null) {
      return;
    }
    delivering = true;
    try {
      while (!paused && !queued.isEmpty()) {
        receiver.data(queued.poll());
      }
      if (!paused && queued.isEmpty() && endQueued && !ended) {
        ended = true;
        receiver.end(EmptyHttpHeaders.INSTANCE);
      }
    } finally {
      delivering = false;
    }
  }
}
