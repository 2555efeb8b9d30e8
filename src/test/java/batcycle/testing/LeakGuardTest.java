package batcycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakGuardTest {
  @BeforeEach
  void requireParanoidDetection() {
    assertThat(ResourceLeakDetector.getLevel())
        .as("surefire runs tests with -Dio.netty.leakDetection.level=paranoid")
        .isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }

  @Test
  void recordsABufferDroppedWithoutRelease() {
    String marker = "LeakGuardTest deliberate leak 1";
    leakBuffer(marker);
    List<String> seen = new CopyOnWriteArrayList<>();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      LeakGuard.flushPendingReports();
      seen.addAll(LeakGuard.drainReports());
      assertThat(seen).anyMatch(report -> report.contains(marker));
    });
    // Anything else is a real leak from elsewhere, and the reports it was drained from are gone: fail here instead.
    assertThat(seen).allMatch(report -> report.contains(marker));
  }

  @Test
  void failsVerificationOnceForALeakThenPasses() {
    String marker = "LeakGuardTest deliberate leak 2";
    leakBuffer(marker);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThatThrownBy(LeakGuard::verifyNoLeaks).isInstanceOf(AssertionError.class).hasMessageContaining(marker));
    LeakGuard.verifyNoLeaks(); // the failure cleared the report, so this class's afterAll passes too
  }

  @Test
  void passesVerificationWhenBuffersAreReleased() {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16);
    buffer.writeInt(42);
    buffer.release();
    LeakGuard.verifyNoLeaks();
  }

  /** Allocates a tracked buffer and drops it; a separate method so no stack slot keeps it reachable. */
  private static void leakBuffer(String marker) {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16);
    buffer.touch(marker); // the hint appears in the leak report's access records
    buffer.writeInt(42);
  }
}
