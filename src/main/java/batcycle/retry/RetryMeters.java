package batcycle.retry;

import batcycle.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The retry counters, every reason registered up front so dashboards see zeros rather than gaps. */
final class RetryMeters {
  /** Values of the {@code reason} tag of {@code batcycle_retry_skipped_total}. */
  static final List<String> SKIP_REASONS = List.of("not_idempotent", "not_replayable", "budget", "circuit_open",
      "retry_after", "deadline", "attempts_exhausted", "websocket");

  private final Map<String, Counter> retries = new HashMap<>();
  private final Map<String, Counter> skipped = new HashMap<>();
  private final Counter budgetExhausted;

  RetryMeters(MeterRegistry registry, Tags tags) {
    for (String reason : Retryability.REASONS) {
      retries.put(reason, Counter.builder(MeterNames.RETRIES).description("Retries sent to the app, by reason")
          .tag(MeterNames.TAG_REASON, reason).tags(tags).register(registry));
    }
    for (String reason : SKIP_REASONS) {
      skipped.put(reason, Counter.builder(MeterNames.RETRY_SKIPPED)
          .description("Retries wanted but not made, by reason").tag(MeterNames.TAG_REASON, reason).tags(tags)
          .register(registry));
    }
    budgetExhausted = Counter.builder(MeterNames.RETRY_BUDGET_EXHAUSTED)
        .description("Failures passed to the client because the retry budget was spent").tags(tags)
        .register(registry);
  }

  void retried(String reason) {
    retries.get(reason).increment();
  }

  void skipped(String reason) {
    skipped.get(reason).increment();
  }

  void budgetExhausted() {
    budgetExhausted.increment();
  }
}
