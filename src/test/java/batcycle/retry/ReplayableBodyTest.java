package batcycle.retry;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.testing.FakeBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReplayableBodyTest {
  /** Reads a stream to its end, synchronously (the fakes deliver on demand). */
  private static String readAll(ReadStream<Buffer> stream, AtomicBoolean ended) {
    Buffer all = Buffer.buffer();
    stream.handler(all::appendBuffer);
    stream.endHandler(v -> ended.set(true));
    stream.resume();
    return all.toString();
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
    ReadStream<Buffer> replay = body.next();
    Buffer got = Buffer.buffer();
    AtomicBoolean ended = new AtomicBoolean();
    replay.handler(got::appendBuffer);
    replay.endHandler(v -> ended.set(true));
    replay.fetch(1);
    assertThat(got.toString()).isEqualTo("a");
    replay.fetch(1);
    assertThat(got.toString()).isEqualTo("ab");
    assertThat(ended).isFalse();
    replay.fetch(2);
    assertThat(got.toString()).isEqualTo("abc");
    assertThat(ended).isTrue();
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
    ReadStream<Buffer> first = body.first();
    Buffer seen = Buffer.buffer();
    first.handler(seen::appendBuffer);
    first.resume();
    assertThat(seen.toString()).isEqualTo("part1-");

    var whole = body.whole(); // the first attempt failed mid-upload
    assertThat(whole.isComplete()).isFalse();
    client.write("part2").end();
    assertThat(whole.result()).isTrue();
    assertThat(seen.toString()).as("the failed attempt no longer sees the body").isEqualTo("part1-");
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
    ReadStream<Buffer> first = body.first();
    first.handler(b -> { });
    // A connect failure: the forwarder never started reading.
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
