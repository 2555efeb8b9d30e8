package batcycle.testing;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension, registered for every test class through service-loader autodetection, that fails a test class
 * when Netty's leak detector has reported a leaked buffer.
 *
 * <p>Netty reports a leak only after the buffer was garbage-collected and another buffer was allocated, so a leak is
 * charged to the class whose {@code afterAll} first sees it, which can be a later class in the same JVM. The build
 * runs tests with {@code -Dio.netty.leakDetection.level=paranoid} so that every buffer is tracked.
 */
public final class LeakGuard implements AfterAllCallback {
  private static final int FLUSH_ROUNDS = 3;
  private static final int ALLOCATIONS_PER_ROUND = 4;

  // Static by necessity: Netty has one buffer leak detector per JVM, so its reports are JVM-wide too.
  private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();

  static {
    // Class initialisation runs once per JVM and is thread-safe, which makes installing idempotent.
    bufferLeakDetector().setLeakListener((resourceType, records) ->
        REPORTS.add("LEAK of " + resourceType + (records.isEmpty() ? " (no access records)" : ":" + records)));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    verifyNoLeaks();
  }

  /** Makes pending leaks visible, then throws an {@link AssertionError} listing every report; clears the reports. */
  public static void verifyNoLeaks() {
    flushPendingReports();
    List<String> reports = drainReports();
    if (!reports.isEmpty()) {
      throw new AssertionError(reports.size() + " Netty buffer leak(s) reported (possibly by an earlier test class in"
          + " this JVM):\n" + String.join("\n", reports));
    }
  }

  /** Collects unreachable buffers and allocates, which is when the detector reports what it has found. */
  public static void flushPendingReports() {
    for (int round = 0; round < FLUSH_ROUNDS; round++) {
      System.gc();
      for (int i = 0; i < ALLOCATIONS_PER_ROUND; i++) {
        PooledByteBufAllocator.DEFAULT.buffer(1).release();
      }
    }
  }

  /** Returns and clears the reports recorded so far, without flushing first. */
  public static List<String> drainReports() {
    var reports = new ArrayList<String>();
    for (String report = REPORTS.poll(); report != null; report = REPORTS.poll()) {
      reports.add(report);
    }
    return reports;
  }

  private static ResourceLeakDetector<?> bufferLeakDetector() {
    // Netty 4.2 lets us listen per detector, but keeps the one every ByteBuf allocator uses package-private.
    try {
      Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
      field.setAccessible(true);
      return (ResourceLeakDetector<?>) field.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot reach Netty's ByteBuf leak detector to install LeakGuard", e);
    }
  }
}
