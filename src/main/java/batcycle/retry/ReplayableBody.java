package batcycle.retry;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's request body as attempts see it. The first attempt reads it live; what streams through is recorded
 * up to a cap (as slices of the same buffers, never copies), so a retry can send the same bytes again. Past the cap
 * the recording is dropped (never more than the cap is held) and the body is marked non-replayable, while the
 * stream itself flows on untouched.
 *
 * <p>A retry after a failure that consumed nothing of the body (a connect failure: the forwarder only reads the
 * body once connected) gets the live body again, so any size and any method can be retried then.
 *
 * <p>Confined to the event loop of the exchange; {@link #release} once the exchange has ended.
 */
final class ReplayableBody implements BodyReceiver {
  private final Body source;
  private final long cap;
  private final Runnable unreadFailure;
  private List<ByteBuf> recorded = new ArrayList<>(4);
  private long recordedBytes;
  private HttpHeaders trailers = EmptyHttpHeaders.INSTANCE;
  private boolean subscribed;
  private boolean overflowed;
  private boolean ended;
  private boolean failed;
  private boolean touched;
  private LiveView live;
  private Promise<Boolean> completion;

  /**
   * {@code source}: the client's body, not yet subscribed; {@code cap}: the most bytes recorded for a replay (0 for
   * a request that may never be replayed: then only whether the body was touched is tracked).
   * {@code unreadFailure} runs when the client's upload fails while no attempt is reading it.
   */
  ReplayableBody(Body source, long cap, Runnable unreadFailure) {
    this.source = source;
    this.cap = cap;
    this.unreadFailure = unreadFailure;
  }

  /** The body for the first attempt. */
  Body first() {
    live = new LiveView();
    return live;
  }

  /** True while no byte (nor the end) of the body has gone to an attempt: the next attempt can read it live. */
  boolean untouched() {
    return !touched;
  }

  /**
   * Reads what is left of the body into the recording; completes with true once the whole body is recorded, false
   * if it is over the cap or the client's upload failed. The previous attempt no longer sees the body.
   */
  Future<Boolean> whole() {
    detach();
    touched = true; // from now on the body is read here, no longer live for an attempt
    if (overflowed || failed) {
      return Future.succeededFuture(false);
    }
    if (ended) {
      return Future.succeededFuture(true);
    }
    completion = Promise.promise();
    flow();
    return completion.future();
  }

  /** The body for the next attempt: the live body if untouched, otherwise a replay (only after {@link #whole}). */
  Body next() {
    detach();
    if (!touched) {
      live = new LiveView();
      return live;
    }
    if (!ended || overflowed || failed) {
      throw new IllegalStateException("the body is not replayable");
    }
    return new ReplayStream(recorded, trailers);
  }

  /** Gives back the recorded buffers; call once no attempt can read them any more. */
  void release() {
    if (recorded != null) {
      for (ByteBuf piece : recorded) {
        piece.release();
      }
      recorded = null;
    }
  }

  private void flow() {
    if (!subscribed) {
      subscribed = true;
      source.subscribe(this);
    } else {
      source.resume();
    }
  }

  /** Stops feeding the previous attempt and holds the client's body until someone asks for it. */
  private void detach() {
    if (live != null) {
      live = null;
      if (subscribed && !ended) {
        source.pause();
      }
    }
  }

  @Override
  public void data(ByteBuf piece) {
    record(piece);
    if (live != null && live.receiver != null) {
      touched = true;
      live.receiver.data(piece);
    } else {
      piece.release(); // read for the recording only
    }
  }

  @Override
  public void batchEnd() {
    if (live != null && live.receiver != null) {
      live.receiver.batchEnd();
    }
  }

  private void record(ByteBuf piece) {
    if (overflowed || recorded == null) {
      return;
    }
    if (recordedBytes + piece.readableBytes() > cap) {
      overflowed = true;
      release(); // past the cap nothing is kept, not even what was already recorded
      if (completion != null) {
        source.pause();
        finish(false);
      }
      return;
    }
    recorded.add(piece.retainedSlice());
    recordedBytes += piece.readableBytes();
  }

  @Override
  public void end(HttpHeaders trailers) {
    ended = true;
    this.trailers = trailers;
    if (live != null && live.receiver != null) {
      touched = true;
      live.receiver.end(trailers);
    }
    finish(!overflowed);
  }

  @Override
  public void failed(Throwable cause) {
    failed = true;
    if (live != null && live.receiver != null) {
      live.receiver.failed(cause);
    } else {
      unreadFailure.run();
    }
    finish(false);
  }

  private void finish(boolean whole) {
    if (completion != null) {
      Promise<Boolean> done = completion;
      completion = null;
      done.complete(whole);
    }
  }

  /** The live body as one attempt sees it; inert once that attempt is over. */
  private final class LiveView implements Body {
    private BodyReceiver receiver;

    private boolean active() {
      return live == this;
    }

    @Override
    public void subscribe(BodyReceiver receiver) {
      if (active()) {
        this.receiver = receiver;
        flow();
      }
    }

    @Override
    public void pause() {
      if (active() && !ended) {
        source.pause();
      }
    }

    @Override
    public void resume() {
      if (active() && !ended) {
        source.resume();
      }
    }

    @Override
    public void discard() {
      if (active()) {
        detach(); // the attempt gave up on it; the client's body stays for a retry or for the exchange's end
      }
    }
  }
}
