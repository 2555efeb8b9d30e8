package batcycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String EXPOSITION = """
      # HELP batcycle_rejected_total Requests batcycle answered itself
      # TYPE batcycle_rejected_total counter
      batcycle_rejected_total{direction="inbound",reason="bad_request",upstream="app"} 2.0
      batcycle_rejected_total{direction="inbound",reason="uri_too_long",upstream="app"} 1.0
      batcycle_rejected_total{direction="outbound",reason="bad_request",upstream="payments"} 4.0
      # TYPE batcycle_requests_active gauge
      batcycle_requests_active 3.0
      batcycle_requests_active_peak 9.0
      batcycle_requests_seconds_count{status="200"} 5.0 # {trace_id="abc"} 0.01 1700000000.000
      """;

  @Test
  void sumsTheSamplesCarryingEveryGivenLabel() {
    assertThat(PrometheusText.value(EXPOSITION, "batcycle_rejected_total")).isEqualTo(7);
    assertThat(PrometheusText.value(EXPOSITION, "batcycle_rejected_total", "reason", "bad_request")).isEqualTo(6);
    assertThat(PrometheusText.value(EXPOSITION, "batcycle_rejected_total", "reason", "bad_request",
        "direction", "inbound")).isEqualTo(2);
  }

  @Test
  void readsANameExactlyNotTheNamesItIsAPrefixOf() {
    assertThat(PrometheusText.value(EXPOSITION, "batcycle_requests_active")).isEqualTo(3);
    assertThat(PrometheusText.samples(EXPOSITION, "batcycle_requests_active")).hasSize(1);
  }

  @Test
  void leavesAnOpenMetricsExemplarOutOfTheSample() {
    assertThat(PrometheusText.value(EXPOSITION, "batcycle_requests_seconds_count", "status", "200")).isEqualTo(5);
  }

  @Test
  void failsOnAMisspeltNameAndNamesTheCloseOnes() {
    assertThatThrownBy(() -> PrometheusText.value(EXPOSITION, "batcycle_rejects_total"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no metric batcycle_rejects_total")
        .hasMessageContaining("batcycle_rejected_total");
  }

  @Test
  void failsWhenNoSampleOfAnExposedNameCarriesTheLabels() {
    assertThatThrownBy(() -> PrometheusText.value(EXPOSITION, "batcycle_rejected_total", "reason", "circuit_open"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("reason=\"circuit_open\"")
        .hasMessageContaining("reason=\"uri_too_long\"");
  }

  @Test
  void matchesALabelByItsWholeNameNotASuffixOfAnother() {
    String exposition = "batcycle_retry_skipped_total{other_reason=\"budget\",reason=\"deadline\"} 1.0\n";
    assertThatThrownBy(() -> PrometheusText.value(exposition, "batcycle_retry_skipped_total", "reason", "budget"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void readsASeriesNotExposedYetAsZeroOnlyWhenAskedAndOnlyForADeclaredName() {
    assertThat(PrometheusText.valueOrZero(EXPOSITION, "batcycle_rejected_total", "reason", "circuit_open")).isZero();
    assertThat(PrometheusText.valueOrZero(EXPOSITION, "batcycle_retry_skipped_total", "reason", "budget")).isZero();
    assertThat(PrometheusText.valueOrZero(EXPOSITION, "batcycle_rejected_total", "reason", "bad_request"))
        .isEqualTo(6);
    assertThatThrownBy(() -> PrometheusText.valueOrZero(EXPOSITION, "batcycle_retry_skiped_total"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("batcycle_retry_skipped_total");
  }

  @Test
  void rejectsALabelWithoutItsValue() {
    assertThatThrownBy(() -> PrometheusText.value(EXPOSITION, "batcycle_rejected_total", "reason"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
