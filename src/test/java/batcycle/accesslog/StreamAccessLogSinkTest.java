package batcycle.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StreamAccessLogSinkTest {
  /** Only a guard against a hang; the loops it wraps take milliseconds. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);
  private static final int QUEUE = 16;

  private static AccessLogRecord record(int n) {
    return new AccessLogRecord(1_764_000_000_000L + n, "req-" + n, null, null, "127.0.0.1", "GET", "/n/" + n,
        "HTTP/1.1", "inbound", "app", "127.0.0.1:8080", 200, 200, 0, n, 1.5, 1.0, 1, "", "", "ua \"" + n + "\"", Map.of("x-tenant", "t" + n));
  }

  /** An OutputStream whose writes wait until released: a log pipe nobody reads. */
  private static final class StuckStream extends OutputStream {
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch firstWrite = new CountDownLatch(1);
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      firstWrite.countDown();
      try {
        if (!released.await(30, TimeUnit.SECONDS)) {
          throw new IOException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      synchronized (written) {
        written.write(b, off, len);
      }
    }

    String text() {
      synchronized (written) {
        return written.toString(StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void writesOneValidJsonLinePerRecordInOrder() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var meters = new SimpleMeterRegistry();
    int count = 1000; // several of the writer's batches; the queue holds them all, so none may be dropped
    var sink = new StreamAccessLogSink(out, AccessLogFormat.JSON, count, meters);
    for (int i = 0; i < count; i++) {
      sink.offer(record(i));
    }
    sink.close();

    assertThat(meters.get(MeterNames.ACCESS_LOG_DROPPED).counter().count()).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n");
    List<String> lines = text.lines().toList();
    assertThat(lines).hasSize(count);
    for (int i = 0; i < count; i++) {
      JsonObject json = new JsonObject(lines.get(i));
      assertThat(json.getString("request_id")).isEqualTo("req-" + i);
      assertThat(json.getString("path")).isEqualTo("/n/" + i);
      assertThat(json.getLong("bytes_out")).isEqualTo(i);
      assertThat(json.getString("user_agent")).isEqualTo("ua \"" + i + "\"");
      assertThat(json.getJsonObject("headers").getString("x-tenant")).isEqualTo("t" + i);
    }
  }

  @Test
  void dropsAndCountsInsteadOfBlockingWhenTheStreamIsStuck() throws InterruptedException {
    var meters = new SimpleMeterRegistry();
    var stuck = new StuckStream();
    var sink = new StreamAccessLogSink(stuck, AccessLogFormat.JSON, QUEUE, meters);
    int offered = 10_000;
    try {
      sink.offer(record(0));
      assertThat(stuck.firstWrite.await(10, TimeUnit.SECONDS)).as("the writer reached the stream").isTrue();

      assertTimeoutPreemptively(HANG_GUARD, () -> {
        for (int i = 1; i < offered; i++) {
          sink.offer(record(i));
        }
      }, "offering must never wait for the stuck stream");

      double dropped = meters.get(MeterNames.ACCESS_LOG_DROPPED).counter().count();
      // The writer is stuck holding record 0, so exactly one full queue waits and everything else was dropped.
      assertThat(dropped).isEqualTo(offered - 1 - QUEUE);
    } finally {
      stuck.released.countDown();
    }
    assertTimeoutPreemptively(HANG_GUARD, sink::close);

    double dropped = meters.get(MeterNames.ACCESS_LOG_DROPPED).counter().count();
    List<String> lines = stuck.text().lines().toList();
    // Every record is accounted for exactly once: written, or dropped and counted.
    assertThat(lines.size() + dropped).isEqualTo(offered);
    assertThat(new JsonObject(lines.get(0)).getString("request_id")).isEqualTo("req-0");
    lines.forEach(line -> assertThat(new JsonObject(line).getString("request_id")).startsWith("req-"));
  }

  @Test
  void closeReturnsEvenWhileTheStreamStaysStuck() throws InterruptedException {
    var stuck = new StuckStream();
    var sink = new StreamAccessLogSink(stuck, AccessLogFormat.TEXT, QUEUE, new SimpleMeterRegistry());
    try {
      sink.offer(record(1));
      assertThat(stuck.firstWrite.await(10, TimeUnit.SECONDS)).isTrue();
      assertTimeoutPreemptively(HANG_GUARD, sink::close);
    } finally {
      stuck.released.countDown();
    }
  }

  @Test
  void writesWhatWasQueuedBeforeClose() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var sink = new StreamAccessLogSink(out, AccessLogFormat.TEXT, QUEUE, new SimpleMeterRegistry());
    for (int i = 0; i < QUEUE; i++) {
      sink.offer(record(i));
    }
    sink.close();
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(QUEUE)
        .allSatisfy(line -> assertThat(line).contains("\"GET /n/"));
  }
}
