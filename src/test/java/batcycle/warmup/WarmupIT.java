package batcycle.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.PrometheusText;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up: readiness waits while synthetic requests run through a private copy of the request path,
 * the app never sees one, the real meters and request log do not count them, and stopping cuts it short.
 */
class WarmupIT {
  @Test
  void warmsUpWithoutTheAppSeeingItThenTurnsReady() throws Exception {
    try (RecordingOrigin app = RecordingOrigin.start();
         ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).with(Key.STARTUP_WARMUP, "60s")
             .with(Key.STARTUP_WARMUP_MIN_REQUESTS, "500").start()) {
      // 500 requests at the least, then a quiet JIT: more than can pass before this first look.
      HttpResponse<String> warming = proxy.admin("/readyz");
      assertThat(warming.statusCode()).isEqualTo(503);
      assertThat(warming.body()).contains("warming up the request path");

      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
          .until(() -> proxy.admin("/readyz").statusCode() == 200);
      String metrics = proxy.admin("/metrics").body();
      assertThat(PrometheusText.value(metrics, "batcycle_warmup_requests")).isGreaterThanOrEqualTo(500);
      assertThat(PrometheusText.value(metrics, "batcycle_warmup_duration_seconds")).isPositive();
      assertThat(PrometheusText.samples(metrics, "batcycle_requests_seconds_count")).isEmpty();
      assertThat(app.received()).isEmpty();
      assertThat(proxy.accessLog().records()).isEmpty();

      HttpResponse<String> real = proxy.get("/real");
      assertThat(real.statusCode()).isEqualTo(200);
      assertThat(app.received()).singleElement().extracting(RecordingOrigin.Received::uri).isEqualTo("/real");
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.accessLog().records().size() == 1);
    }
  }

  @Test
  void stalledSyntheticUploadsAreCutWith408sSoThatPathIsWarmToo() {
    try (RecordingOrigin app = RecordingOrigin.start();
         // Runs the whole 4 s (the request minimum is out of reach): the first cuts come after about a second.
         ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).with(Key.STARTUP_WARMUP, "4s")
             .with(Key.STARTUP_WARMUP_MIN_REQUESTS, "10000000").start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> proxy.batcycle().warmupResult() != null);
      Warmup.Result result = proxy.batcycle().warmupResult();
      assertThat(result.endedBy()).isEqualTo("time limit");
      assertThat(result.uploadsCut()).isPositive();
      assertThat(result.failures()).isZero();
      assertThat(app.received()).isEmpty();
    }
  }

  @Test
  void isReadyAtOnceWithTheWarmupOff() {
    try (RecordingOrigin app = RecordingOrigin.start();
         ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).with(Key.STARTUP_WARMUP, "0").start()) {
      assertThat(proxy.admin("/readyz").statusCode()).isEqualTo(200);
      assertThat(proxy.metric("batcycle_warmup_requests")).isZero();
    }
  }

  @Test
  void closingDuringTheWarmupEndsIt() {
    try (RecordingOrigin app = RecordingOrigin.start();
         ProxyHarness proxy = ProxyHarness.forUpstream(app.port()).with(Key.STARTUP_WARMUP, "60s").start()) {
      assertThat(proxy.admin("/readyz").body()).contains("warming up");
      Futures.await(proxy.batcycle().close(), 30); // would wait out the 60 s warm-up if stopping did not end it
      assertThat(app.received()).isEmpty();
    }
  }
}
