package batcycle.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import batcycle.config.BatcycleConfig;
import batcycle.metrics.MeterNames;
import batcycle.metrics.Metrics;
import batcycle.metrics.ProxyMeters;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status page's numbers from the real Prometheus registry, with times given by the test. */
class TrafficHistoryTest {
  private final Metrics metrics = new Metrics();
  private final BatcycleConfig config = BatcycleConfig.defaults();
  private final ProxyMeters meters = new ProxyMeters(metrics.registry(), metrics.exemplars(), config.metrics(), 64);
  private final TrafficHistory history = new TrafficHistory(metrics.registry(), config.metrics().latencyBuckets());

  @AfterEach
  void close() {
    metrics.close();
  }

  @Test
  void emptyRegistryHasNoRequestsAndNoPercentiles() {
    TrafficHistory.Sample start = history.record(0);
    TrafficHistory.Window window = history.between(start, history.read(10_000));

    assertThat(window.requests()).isZero();
    assertThat(window.rate()).isZero();
    assertThat(window.errorRatio()).isNull();
    assertThat(window.p50Ms()).isNull();
    assertThat(window.p99Ms()).isNull();
    assertThat(history.series()).isEmpty();
  }

  @Test
  void countsRequestsErrorsAndClassesAcrossTimers() {
    record(6, 200, MeterNames.OUTCOME_SUCCESS, 3);
    record(2, 404, MeterNames.OUTCOME_CLIENT_ERROR, 3);
    record(3, 500, MeterNames.OUTCOME_SERVER_ERROR, 3);
    record(1, 502, MeterNames.OUTCOME_LOCAL, 3);
    record(1, 200, MeterNames.OUTCOME_ABORTED, 3); // cut short mid-body: an error though the status was 200

    TrafficHistory.Sample now = history.read(1_000);

    assertThat(now.requests()).isEqualTo(13);
    assertThat(now.errors()).isEqualTo(5);
    assertThat(now.byClass()).containsExactly(0, 0, 7, 0, 2, 4);
    assertThat(now.byOutcome()).containsEntry(MeterNames.OUTCOME_SUCCESS, 6L)
        .containsEntry(MeterNames.OUTCOME_ABORTED, 1L).containsEntry(MeterNames.OUTCOME_LOCAL, 1L);
  }

  @Test
  void percentilesInterpolateWithinTheBucketLikeHistogramQuantile() {
    TrafficHistory.Sample start = history.record(0);
    record(100, 200, MeterNames.OUTCOME_SUCCESS, 3); // every request in the (2ms, 5ms] bucket

    TrafficHistory.Window window = history.between(start, history.read(10_000));

    assertThat(window.requests()).isEqualTo(100);
    assertThat(window.rate()).isCloseTo(10.0, within(1e-9));
    assertThat(window.p50Ms()).isCloseTo(2 + 3 * 0.5, within(1e-9));
    assertThat(window.p99Ms()).isCloseTo(2 + 3 * 0.99, within(1e-9));
  }

  @Test
  void aWindowSeesOnlyItsOwnRequests() {
    record(50, 200, MeterNames.OUTCOME_SUCCESS, 700); // slow, before the window
    TrafficHistory.Sample start = history.record(0);
    record(9, 200, MeterNames.OUTCOME_SUCCESS, 3);
    record(1, 503, MeterNames.OUTCOME_SERVER_ERROR, 3);

    TrafficHistory.Window window = history.between(start, history.read(5_000));

    assertThat(window.requests()).isEqualTo(10);
    assertThat(window.errors()).isEqualTo(1);
    assertThat(window.errorRatio()).isEqualTo(0.1);
    assertThat(window.rate()).isEqualTo(2.0);
    assertThat(window.p99Ms()).as("the slow requests before the window are not in it").isLessThan(5.0);
  }

  @Test
  void slowerThanTheLargestBucketIsReportedAsTheLargestBucket() {
    TrafficHistory.Sample start = history.record(0);
    record(10, 200, MeterNames.OUTCOME_SUCCESS, 45_000);

    TrafficHistory.Window window = history.between(start, history.read(1_000));

    assertThat(window.p99Ms()).isEqualTo(history.latencyCapMs()).isEqualTo(30_000.0);
  }

  @Test
  void seriesHasOnePointPerStepOldestFirst() {
    for (int second = 0; second <= 20; second++) {
      if (second > 0 && second <= 10) {
        record(2, 200, MeterNames.OUTCOME_SUCCESS, 3); // 2 per second for the first ten seconds, then silence
      }
      history.record(second * 1_000L);
    }

    List<TrafficHistory.Window> series = history.series();

    assertThat(series).hasSize(4);
    assertThat(series).extracting(TrafficHistory.Window::toMillis).containsExactly(5_000L, 10_000L, 15_000L, 20_000L);
    assertThat(series).extracting(TrafficHistory.Window::rate).containsExactly(2.0, 2.0, 0.0, 0.0);
    assertThat(series.get(3).p50Ms()).as("no requests: no latency").isNull();
  }

  @Test
  void aYoungProcessGetsAShorterFirstPoint() {
    history.record(0);
    record(3, 200, MeterNames.OUTCOME_SUCCESS, 3);
    history.record(1_000);
    history.record(2_000);

    assertThat(history.series()).singleElement().satisfies(point -> {
      assertThat(point.fromMillis()).isZero();
      assertThat(point.toMillis()).isEqualTo(2_000);
      assertThat(point.rate()).isEqualTo(1.5);
    });
  }

  @Test
  void keepsFiveMinutesOfSamples() {
    for (int second = 0; second < 1_000; second++) {
      history.record(second * 1_000L);
    }

    assertThat(history.series()).hasSize(TrafficHistory.SECONDS / TrafficHistory.STEP_SECONDS);
    assertThat(history.since(0).atMillis()).as("the oldest kept").isEqualTo((999 - TrafficHistory.SECONDS) * 1_000L);
    assertThat(history.since(990_000).atMillis()).isEqualTo(990_000);
  }

  private void record(int times, int status, String outcome, long millis) {
    for (int i = 0; i < times; i++) {
      meters.recordRequest("GET", status, outcome, "/x", Duration.ofMillis(millis).toNanos(), 0, 0, 0,
          null);
    }
  }
}
