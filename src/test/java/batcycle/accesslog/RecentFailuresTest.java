package batcycle.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RecentFailuresTest {
  @Test
  void keepsOnlyFailuresNewestFirst() {
    RecentFailures ring = new RecentFailures(5);

    ring.offer(record("ok", 200, ""));
    ring.offer(record("boom", 500, ""));
    ring.offer(record("notfound", 404, ""));
    ring.offer(record("bad", 400, "DPE,LR"));
    ring.offer(record("gone", 200, "DC"));
    ring.offer(record("refused", 502, "UF,LR"));

    assertThat(ring.newestFirst()).extracting(AccessLogRecord::requestId)
        .containsExactly("refused", "gone", "bad", "boom");
    assertThat(ring.total()).isEqualTo(4);
  }

  @Test
  void aStatusOfZeroIsAFailure() {
    assertThat(RecentFailures.isFailure(record("none", 0, ""))).isTrue();
    assertThat(RecentFailures.isFailure(record("redirect", 302, ""))).isFalse();
    assertThat(RecentFailures.isFailure(record("client", 499, ""))).isFalse();
  }

  @Test
  void holdsTheLastCapacityFailuresOnceFull() {
    RecentFailures ring = new RecentFailures(3);
    for (int i = 0; i < 10; i++) {
      ring.offer(record("r" + i, 500, ""));
    }

    assertThat(ring.newestFirst()).extracting(AccessLogRecord::requestId).containsExactly("r9", "r8", "r7");
    assertThat(ring.total()).isEqualTo(10);
  }

  @Test
  void emptyRingHasNoFailures() {
    assertThat(new RecentFailures(RecentFailures.DEFAULT_CAPACITY).newestFirst()).isEmpty();
  }

  @Test
  void passesEveryRecordOnToTheRequestLog() {
    RecentFailures ring = new RecentFailures(4);
    List<AccessLogRecord> logged = new ArrayList<>();
    AccessLogSink sink = ring.inFrontOf(logged::add);

    sink.offer(record("ok", 200, ""));
    sink.offer(record("boom", 503, ""));

    assertThat(logged).extracting(AccessLogRecord::requestId).containsExactly("ok", "boom");
    assertThat(ring.newestFirst()).extracting(AccessLogRecord::requestId).containsExactly("boom");
  }

  @Test
  void manyEventLoopsOfferingAtOnceLeaveAConsistentRing() throws InterruptedException {
    RecentFailures ring = new RecentFailures(RecentFailures.DEFAULT_CAPACITY);
    int threads = 4;
    int each = 5_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String prefix = "t" + t + "-";
      Thread writer = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < each; i++) {
          ring.offer(record(prefix + i, 500, ""));
          if (i % 100 == 0) {
            assertThat(ring.newestFirst()).hasSizeLessThanOrEqualTo(ring.capacity());
          }
        }
      });
      writer.start();
      writers.add(writer);
    }
    go.countDown();
    for (Thread writer : writers) {
      writer.join();
    }

    List<AccessLogRecord> held = ring.newestFirst();
    assertThat(ring.total()).isEqualTo((long) threads * each);
    assertThat(held).hasSize(ring.capacity());
    assertThat(new HashSet<>(held)).as("no record twice").hasSize(ring.capacity());
  }

  private static AccessLogRecord record(String id, int status, String flags) {
    return new AccessLogRecord(1_000, id, null, null, "127.0.0.1", "GET", "/" + id, "HTTP/1.1", "inbound", "app",
        "127.0.0.1:8080", status, status,
        0, 0, 1.5, 1.0, 1, "", flags, null, Map.of());
  }
}
