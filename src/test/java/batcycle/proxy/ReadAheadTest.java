package batcycle.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.pipeline.Body;
import batcycle.pipeline.BodyReceiver;
import batcycle.testing.RecordingReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
  /** The client's body as the read-ahead sees it: the test pushes pieces and the end, as the channel would. */
  private static final class PushedBody implements Body {
    BodyReceiver receiver;
    boolean paused;

    @Override
    public void subscribe(BodyReceiver receiver) {
      this.receiver = receiver;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }

    @Override
    public void discard() {}
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  /** A read-ahead of 4 bytes, filled by the client's first piece and handed to a writer that paused on it. */
  private record Paused(PushedBody client, ReadAhead ahead, RecordingReceiver writer) {
    static Paused afterTheFirstPiece() {
      PushedBody client = new PushedBody();
      ReadAhead ahead = new ReadAhead(client, 4);
      assertThat(ahead.fill().isComplete()).isFalse();
      client.receiver.data(bytes("abcd")); // the bound: filled, the client's body paused
      assertThat(client.paused).isTrue();
      RecordingReceiver writer = new RecordingReceiver().pausing(ahead); // its connection stops being writable
      ahead.subscribe(writer);
      assertThat(writer.pieces()).containsExactly("abcd");
      return new Paused(client, ahead, writer);
    }
  }

  @Test
  void theEndReachesAReceiverThatPausedOnTheLastPiece() { // a large upload stalled: the end was held, nothing flushed
    Paused paused = Paused.afterTheFirstPiece();
    paused.ahead().resume(); // the app's connection drained
    paused.client().receiver.data(bytes("ef")); // the last piece, and the writer pauses on it
    paused.client().receiver.end(EmptyHttpHeaders.INSTANCE); // the end arrives in the same read

    assertThat(paused.writer().pieces()).containsExactly("abcd", "ef");
    assertThat(paused.writer().trailers()).as("the end, which flushes what was written").isNotNull();
  }

  @Test
  void piecesBeyondTheBoundWaitWhileTheReceiverIsPaused() {
    Paused paused = Paused.afterTheFirstPiece();
    paused.client().receiver.data(bytes("ef")); // arrives while the writer is paused: held, not delivered
    assertThat(paused.writer().pieces()).containsExactly("abcd");
    paused.ahead().resume();
    assertThat(paused.writer().pieces()).containsExactly("abcd", "ef");
    paused.ahead().release();
  }

  @Test
  void aBrokenUploadReachesAPausedReceiverAtOnce() {
    Paused paused = Paused.afterTheFirstPiece();
    paused.client().receiver.data(bytes("ef")); // held: the writer is paused
    IllegalStateException cut = new IllegalStateException("client went away");
    paused.client().receiver.failed(cut);
    assertThat(paused.writer().failure()).isSameAs(cut);
    assertThat(paused.writer().pieces()).containsExactly("abcd");
  }
}
