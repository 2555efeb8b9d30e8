package batcycle.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GradientLimitTest {
  private static final long MS = 1_000_000;

  @Test
  void growsWhileLatencyStaysFlatAndTheLimitIsUsed() {
    GradientLimit limit = new GradientLimit(10, 1000);
    int start = limit.limit();
    for (int i = 0; i < 200; i++) {
      limit.onSample(10 * MS, limit.limit());
    }
    assertThat(limit.limit()).isGreaterThan(start * 3);
  }

  @Test
  void doesNotGrowWhenTheAppIsNotBusy() {
    GradientLimit limit = new GradientLimit(10, 1000);
    for (int i = 0; i < 200; i++) {
      limit.onSample(10 * MS, 1);
    }
    assertThat(limit.limit()).isEqualTo(20);
  }

  @Test
  void shrinksWhenLatencyRisesAndNeverBelowTheMinimum() {
    // (A lasting new latency slowly becomes the new normal, as in Gradient2: only the rise itself shrinks it.)
    GradientLimit limit = new GradientLimit(10, 1000);
    for (int i = 0; i < 100; i++) {
      limit.onSample(10 * MS, limit.limit());
    }
    int grown = limit.limit();
    for (int i = 0; i < 50; i++) {
      limit.onSample(100 * MS, limit.limit()); // queueing in the app: 10× the usual latency
    }
    assertThat(limit.limit()).isLessThan(grown / 2).isGreaterThanOrEqualTo(10);
    for (int i = 0; i < 50; i++) {
      limit.onDrop();
    }
    assertThat(limit.limit()).isEqualTo(10);
  }

  @Test
  void timeoutsCutItAndTheMaximumCapsIt() {
    GradientLimit limit = new GradientLimit(5, 30);
    for (int i = 0; i < 500; i++) {
      limit.onSample(10 * MS, limit.limit());
    }
    assertThat(limit.limit()).isEqualTo(30);
    assertThat(limit.onDrop()).isEqualTo(27);
  }
}
