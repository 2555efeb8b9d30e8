package batcycle.retry;

import batcycle.pipeline.BodyStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's request body as attempts see it. The first attempt reads it live; what streams through is recorded
 * up to a cap, so a retry can send the same bytes again. Past the cap the recording is dropped (never more than
 * the cap is held) and the body is marked non-replayable, while the stream itself flows on untouched.
 *
 * <p>A retry after a failure that consumed nothing of the body (a connect failure: the forwarder only reads the
 * body once connected) gets the live body again, so any size and any method can be retried then.
 *
 * <p>Confined to the event loop of the exchange.
 */
final class ReplayableBody {
  private final ReadStream<Buffer> source;
  private final long cap;
  private final Runnable unreadFailure;
  private List<Buffer> recorded = new ArrayList<>();
  private long recordedBytes;
  private boolean overflowed;
  private boolean ended;
  private boolean failed;
  private boolean touched;
  private LiveView live;
  private Promise<Boolean> completion;

  /**
   * {@code source} must be paused and not yet ended; {@code cap} is the most bytes recorded for a replay (0 for
   * a request that may never be replayed: then only whether the body was touched is tracked).
   * {@code unreadFailure} runs when the client's upload fails while no attempt is reading it (this wrapper takes
   * the place of the exception handler the client's request had).
   */
  ReplayableBody(ReadStream<Buffer> source, long cap, Runnable unreadFailure) {
    this.source = source;
    this.cap = cap;
    this.unreadFailure = unreadFailure;
    source.handler(this::onChunk);
    source.endHandler(v -> onEnd());
    source.exceptionHandler(this::onFailure);
  }

  /** The stream for the first attempt. */
  ReadStream<Buffer> first() {
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
    source.resume();
    return completion.future();
  }

  /** The stream for the next attempt: the live body if untouched, otherwise a replay (only after {@link #whole}). */
  ReadStream<Buffer> next() {
    detach();
    if (!touched) {
      live = new LiveView();
      return live;
    }
    if (!ended || overflowed || failed) {
      throw new IllegalStateException("the body is not replayable");
    }
    return new ReplayStream(List.copyOf(recorded));
  }

  /** Stops feeding the previous attempt and holds the client's body until someone asks for it. */
  private void detach() {
    if (live != null) {
      live = null;
      if (!ended) {
        source.pause();
      }
    }
  }

  private void onChunk(Buffer chunk) {
    record(chunk);
    if (live != null) {
      touched = true;
      live.emitData(chunk);
    }
  }

  private void record(Buffer chunk) {
    if (overflowed) {
      return;
    }
    if (recordedBytes + chunk.length() > cap) {
      overflowed = true;
      recorded = null; // past the cap nothing is kept, not even what was already recorded
      if (completion != null) {
        source.pause();
        finish(false);
      }
      return;
    }
    recorded.add(chunk);
    recordedBytes += chunk.length();
  }

  private void onEnd() {
    ended = true;
    if (live != null) {
      touched = true;
      live.emitEnd();
    }
    finish(!overflowed);
  }

  private void onFailure(Throwable cause) {
    failed = true;
    if (live != null) {
      live.emitFailure(cause);
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
  private final class LiveView extends BodyStream {

    private boolean active() {
      return live == this;
    }




    @Override
    public ReadStream<Buffer> pause() {
      if (active() && !ended) {
        source.pause();
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      if (active() && !ended) {
        source.resume();
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (active() && !ended) {
        source.fetch(amount);
      }
      return this;
    }
  }
}
