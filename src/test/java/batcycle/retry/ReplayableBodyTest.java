package batcycle.retry;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.FakeBody;
import batcycle.testing.RecordingReceiver;
import batcycle.pipeline.Body;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReplayableBodyTest {
  /** Reads a stream to its end, synchronously (the fakes deliver on demand). */
  private static String readAll(Body body, AtomicBoolean ended) {
    RecordingReceiver reader = new RecordingReceiver();
    body.subscribe(reader);
    ended.set(reader.ended());
    return reader.text();
  }

  @Test
  void replaysTheSameBytesAfterTheFirstAttemptReadThemAll() {
    FakeBody client = new FakeBody().write("hello ").write("world").end();
    ReplayableBody body = new ReplayableBody(client, 64, () -> { });
    AtomicBoolean firstEnded = new AtomicBoolean();
    assertThat(readAll(body.first(), firstEnded)).isEqualTo("hello world");
    assertThat(firstEnded).isTrue();
    assertThat(body.untouched()).isFalse();
    assertThat(body.whole().result()).isTrue();

    AtomicBoolean replayEnded = new AtomicBoolean();
    assertThat(readAll(body.next(), replayEnded)).isEqualTo("hello world");
    assertThat(replayEnded).isTrue();
    assertThat(readAll(body.next(), new AtomicBoolean())).as("a third attempt too").isEqualTo("hello world");
  }

  @Test
  void replayHonoursBackPressure() {
    ReplayableBody body = new ReplayableBody(new FakeBody().write("a").write("b").write("c").end(), 64, () -> { });
    readAll(body.first(), new AtomicBoolean());
    body.whole();
    Body replay = body.next();
    RecordingReceiver reader = new RecordingReceiver().pausing(replay);
    replay.subscribe(reader);
    assertThat(reader.text()).isEqualTo("a");
    replay.resume();
    assertThat(reader.text()).isEqualTo("ab");
    assertThat(reader.ended()).isFalse();
    reader.stopPausing();
    replay.resume();
    assertThat(reader.text()).isEqualTo("abc");
    assertThat(reader.ended()).isTrue();
    body.release();
  }

  @Test
  void aBodyOverTheCapStillStreamsWholeButIsNotReplayable() {
    FakeBody client = new FakeBody().write("12345").write("67890").write("X").end();
    ReplayableBody body = new ReplayableBody(client, 10, () -> { });
    AtomicBoolean ended = new AtomicBoolean();
    assertThat(readAll(body.first(), ended)).isEqualTo("1234567890X");
    assertThat(ended).isTrue();
    assertThat(body.whole().result()).isFalse();
  }

  @Test
  void readsTheRestOfAPartlySentBodyBeforeReplaying() {
    FakeBody client = new FakeBody().write("part1-");
    ReplayableBody body = new ReplayableBody(client, 64, () -> { });
    RecordingReceiver seen = new RecordingReceiver();
    body.first().subscribe(seen);
    assertThat(seen.text()).isEqualTo("part1-");

    var whole = body.whole(); // the first attempt failed mid-upload
    assertThat(whole.isComplete()).isFalse();
    client.write("part2").end();
    assertThat(whole.result()).isTrue();
    assertThat(seen.text()).as("the failed attempt no longer sees the body").isEqualTo("part1-");
    assertThat(readAll(body.next(), new AtomicBoolean())).isEqualTo("part1-part2");
  }

  @Test
  void stopsReadingOnceTheRestOverflowsTheCap() {
    FakeBody client = new FakeBody().write("12345");
    ReplayableBody body = new ReplayableBody(client, 8, () -> { });
    readAll(body.first(), new AtomicBoolean());
    var whole = body.whole();
    client.write("6789");
    assertThat(whole.result()).isFalse();
  }

  @Test
  void aBodyNoAttemptReadGoesLiveToTheNextAttemptWhateverItsSize() {
    FakeBody client = new FakeBody().write("x".repeat(100)).end();
    ReplayableBody body = new ReplayableBody(client, 0, () -> { }); // not even recorded
    body.first(); // a connect failure: the forwarder never started reading
    assertThat(body.untouched()).isTrue();
    assertThat(client.demanded()).isFalse();
    assertThat(readAll(body.next(), new AtomicBoolean())).hasSize(100);
  }

  @Test
  void aFailedUploadIsNotReplayableAndIsReportedWhenNoAttemptReadsIt() {
    FakeBody client = new FakeBody().write("abc");
    AtomicBoolean reported = new AtomicBoolean();
    ReplayableBody body = new ReplayableBody(client, 64, () -> reported.set(true));
    readAll(body.first(), new AtomicBoolean());
    var whole = body.whole();
    client.fail(new IllegalStateException("client went away"));
    assertThat(whole.result()).isFalse();
    assertThat(reported).isTrue();
  }
}
