package batcycle.retry;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private RetryBudget budget(String ratio, String minPerSecond, String window) {
    var config = BatcycleConfig.defaults().with(Map.of(Key.RETRY_BUDGET_RATIO, ratio,
        Key.RETRY_BUDGET_MIN_PER_SECOND, minPerSecond, Key.RETRY_BUDGET_WINDOW, window)).retry();
    return new RetryBudget(config, registry, nanos::get);
  }

  private static int withdrawAll(RetryBudget budget) {
    int granted = 0;
    for (int i = 0; i < 10_000 && budget.tryAcquireRetry(); i++) {
      granted++;
    }
    return granted;
  }

  @Test
  void allowsTheRatioOfRequestsPlusTheFloor() {
    RetryBudget budget = budget("0.2", "1", "10s");
    for (int i = 0; i < 100; i++) {
      budget.recordRequest();
    }
    // 0.2 × 100 requests + 1/s × 10 s
    assertThat(budget.available()).isEqualTo(30);
    assertThat(withdrawAll(budget)).isEqualTo(30);
    assertThat(budget.available()).isZero();
    assertThat(registry.get("batcycle.retry.budget.available").gauge().value()).isZero();
  }

  @Test
  void theFloorAloneLetsLowTrafficRetry() {
    RetryBudget budget = budget("0.2", "10", "10s");
    budget.recordRequest();
    assertThat(withdrawAll(budget)).isEqualTo(100);
  }

  @Test
  void requestsAndRetriesLeaveTheWindowAfterItsLength() {
    RetryBudget budget = budget("0.5", "0", "10s");
    for (int i = 0; i < 10; i++) {
      budget.recordRequest();
    }
    assertThat(withdrawAll(budget)).isEqualTo(5);
    nanos.addAndGet(9_000_000_000L);
    assertThat(budget.tryAcquireRetry()).as("still in the window").isFalse();
    nanos.addAndGet(1_000_000_000L);
    assertThat(budget.available()).as("the old second has left the window").isZero();
    for (int i = 0; i < 4; i++) {
      budget.recordRequest();
    }
    assertThat(withdrawAll(budget)).isEqualTo(2);
  }

  @Test
  void aZeroRatioAndFloorAllowsNoRetries() {
    RetryBudget budget = budget("0", "0", "1s");
    budget.recordRequest();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }
}
