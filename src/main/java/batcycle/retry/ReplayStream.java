package batcycle.retry;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * A recorded request body sent again, with back-pressure: each piece goes out as a new view of the recorded buffer
 * (the recording keeps its own), then the end. Replaying memory never fails. Confined to one event loop.
 */
final class ReplayStream implements Body {
  private final List<ByteBuf> pieces;
  private final HttpHeaders trailers;
  private BodyReceiver receiver;
  private int next;
  private boolean paused;
  private boolean emitting;
  private boolean done;

  ReplayStream(List<ByteBuf> pieces, HttpHeaders trailers) {
    this.pieces = pieces;
    this.trailers = trailers;
  }

  @Override
  public void subscribe(BodyReceiver receiver) {
    this.receiver = receiver;
    drain();
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
    drain();
  }

  @Override
  public void discard() {
    done = true;
  }

  private void drain() {
    if (emitting || receiver == null || done) {
      return; // a receiver asked for more from inside an emission: the loop below picks it up
    }
    emitting = true;
    try {
      while (!paused && next < pieces.size()) {
        receiver.data(pieces.get(next++).retainedDuplicate());
      }
      if (!paused && !done) {
        done = true;
        receiver.end(trailers);
      } else {
        receiver.batchEnd();
      }
    } finally {
      emitting = false;
    }
  }
}
