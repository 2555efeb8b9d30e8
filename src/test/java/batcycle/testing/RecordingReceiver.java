package batcycle.testing;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a body delivers, for unit tests: the pieces as text (each released, as a writer would), the end's trailers
 * and a failure. With {@link #pausing} it pauses its body after every piece, as a writer whose connection stops
 * being writable.
 */
public final class RecordingReceiver implements BodyReceiver {
  private final List<String> pieces = new ArrayList<>();
  private Body pauses;
  private HttpHeaders trailers;
  private Throwable failure;

  /** Pauses {@code body} after each piece from now on. */
  public RecordingReceiver pausing(Body body) {
    this.pauses = body;
    return this;
  }

  public RecordingReceiver stopPausing() {
    this.pauses = null;
    return this;
  }

  public List<String> pieces() {
    return pieces;
  }

  /** The pieces in order, followed by {@code !failed} if the body failed. */
  public String text() {
    return String.join("", pieces) + (failure == null ? "" : "!failed");
  }

  public boolean ended() {
    return trailers != null;
  }

  /** The end's trailers, or null before the end. */
  public HttpHeaders trailers() {
    return trailers;
  }

  public Throwable failure() {
    return failure;
  }

  @Override
  public void data(ByteBuf piece) {
    pieces.add(piece.toString(StandardCharsets.UTF_8));
    piece.release();
    if (pauses != null) {
      pauses.pause();
    }
  }

  @Override
  public void end(HttpHeaders trailers) {
    this.trailers = trailers;
  }

  @Override
  public void failed(Throwable cause) {
    failure = cause;
  }
}
