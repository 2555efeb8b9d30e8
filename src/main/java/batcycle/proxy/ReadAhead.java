package batcycle.proxy;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/**
 * A request body read ahead of its forwarding: the pieces are held (the client's own buffers, never copied) until
 * the body has ended or {@code bound} bytes are in, and then delivered to whoever subscribes, followed by the rest
 * of the body as it comes. Nothing beyond the bound is held: past it the client's body is paused until a receiver
 * asks for more.
 *
 * <p>Confined to the event loop of the exchange; {@link #release} once the exchange has ended.
 */
final class ReadAhead implements Body, BodyReceiver {
  private final Body source;
  private final long bound;
  private final Promise<Void> filled = Promise.promise();
  private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
  private long heldBytes;
  private BodyReceiver receiver;
  private HttpHeaders trailers;
  private Throwable failure;
  private boolean paused;
  private boolean delivering;
  private boolean done;

  ReadAhead(Body source, long bound) {
    this.source = source;
    this.bound = bound;
  }

  /** Starts reading; completes once the body ended or the bound is reached, fails if the body broke off first. */
  Future<Void> fill() {
    source.subscribe(this);
    return filled.future();
  }

  // ---------------------------------------------------------------- from the client's body

  @Override
  public void data(ByteBuf piece) {
    if (done) {
      piece.release();
    } else if (passingThrough()) {
      receiver.data(piece);
    } else {
      held.add(piece);
      heldBytes += piece.readableBytes();
      if (heldBytes >= bound && receiver == null) {
        source.pause(); // what is held is all this may hold; the rest waits for the app
        filled.tryComplete();
      }
    }
  }

  @Override
  public void batchEnd() {
    if (receiver != null && !done && !delivering) {
      receiver.batchEnd(); // also while paused: what it was given must be flushed for it to drain
    }
  }

  @Override
  public void end(HttpHeaders trailers) {
    if (endsNow() && held.isEmpty()) {
      done = true;
      receiver.end(trailers);
    } else if (!done) {
      this.trailers = trailers;
      filled.tryComplete();
    }
  }

  @Override
  public void failed(Throwable cause) {
    if (endsNow()) { // like the end: a paused receiver learns of it at once, and nothing held is worth sending
      done = true;
      releaseHeld();
      receiver.failed(cause);
    } else if (!done) {
      failure = cause;
      releaseHeld();
      if (!filled.tryFail(cause) && receiver != null) {
        deliver();
      }
    }
  }

  /** Pieces go straight on once the held ones are delivered, while the receiver takes them. */
  private boolean passingThrough() {
    return endsNow() && held.isEmpty() && !paused;
  }

  /**
   * The end (once nothing is held) or a failure goes on even to a paused receiver: it carries no data, and the end is
   * what flushes the pieces written before the pause. Held back, those would never drain, so the receiver would
   * never resume.
   */
  private boolean endsNow() {
    return receiver != null && !delivering && trailers == null && failure == null && !done;
  }

  // ---------------------------------------------------------------- to the attempt

  @Override
  public void subscribe(BodyReceiver receiver) {
    this.receiver = receiver;
    deliver();
  }

  @Override
  public void pause() {
    paused = true;
    source.pause();
  }

  @Override
  public void resume() {
    paused = false;
    deliver();
  }

  @Override
  public void discard() {
    release();
    source.discard();
  }

  /** Gives back what is still held; nothing more is delivered. */
  void release() {
    done = true;
    releaseHeld();
  }

  private void deliver() {
    if (delivering || receiver == null || done) {
      return; // a receiver resuming from inside a delivery: the loop below goes on
    }
    delivering = true;
    boolean delivered = false;
    try {
      ByteBuf piece;
      while (!paused && (piece = held.poll()) != null) {
        heldBytes -= piece.readableBytes();
        delivered = true;
        receiver.data(piece);
      }
    } finally {
      delivering = false;
    }
    if (paused || done) {
      if (delivered && !done) {
        receiver.batchEnd(); // what went out must be flushed, or the receiver never drains and resumes
      }
      return;
    }
    if (failure != null) {
      done = true;
      receiver.failed(failure);
    } else if (trailers != null) {
      done = true;
      receiver.end(trailers);
    } else {
      receiver.batchEnd(); // what was held goes out now; the rest follows as it comes
      source.resume();
    }
  }

  private void releaseHeld() {
    ByteBuf piece;
    while ((piece = held.poll()) != null) {
      piece.release();
    }
    heldBytes = 0;
  }
}
