package batcycle.deadline;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-try and whole-request timeouts through the real proxy, and the client's X-Batcycle-Timeout. */
class TimeoutIT {
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();

  private void startSilentApp(Map<Key, String> overrides) {
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> { })); // never answers
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(overrides));
  }

  private HttpResponse<String> get(String path, String timeoutHeader) {
    var request = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(30));
    if (timeoutHeader != null) {
      request.header("X-Batcycle-Timeout", timeoutHeader);
    }
    return proxy.send(request.build());
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /**
   * GETs the silent app's /slow asking for {@code clientTimeout}: batcycle answers 504 once the shorter of that and
   * its own 300 ms timeout has passed (not before; well before the 20 s or 30 s of the longer one).
   */
  private void assertTimesOutAfter300ms(String clientTimeout) {
    long start = System.nanoTime();
    HttpResponse<String> response = get("/slow", clientTimeout);
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(millisSince(start)).isBetween(300L, 5_000L);
  }

  @Test
  void theClientHeaderShortensTheTimeouts() {
    startSilentApp(Map.of(Key.TIMEOUTS_RESPONSE, "20s", Key.TIMEOUTS_REQUEST, "20s"));
    assertTimesOutAfter300ms("300ms");
    assertThat(origin.arrivals()).as("no time was left for a retry").isEqualTo(1);
  }

  @Test
  void theClientHeaderCannotLengthenThem() {
    startSilentApp(Map.of(Key.TIMEOUTS_RESPONSE, "300ms", Key.TIMEOUTS_REQUEST, "300ms"));
    assertTimesOutAfter300ms("30s");
  }

  @Test
  void theWholeRequestDeadlineBoundsRetries() {
    startSilentApp(Map.of(Key.TIMEOUTS_RESPONSE, "400ms", Key.TIMEOUTS_REQUEST, "1s",
        Key.RETRY_BACKOFF_BASE, "5ms", Key.RETRY_BACKOFF_MAX, "10ms", Key.RETRY_MAX_ATTEMPTS, "5"));
    long start = System.nanoTime();
    HttpResponse<String> response = get("/slow", null);
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.headers().firstValue("x-batcycle-error")).hasValue("upstream_response_timeout");
    assertThat(millisSince(start)).isBetween(1_000L, 5_000L);
    // 400 ms + 400 ms + what is left of the second (unless a slow machine ate it): never the five allowed.
    assertThat(origin.arrivals()).isBetween(2, 3);
  }

  @Test
  void theHeaderIsBatcyclesOwnAndNeverReachesTheApp() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));
    assertThat(get("/", "5s").statusCode()).isEqualTo(200);
    assertThat(origin.last().header("x-batcycle-timeout")).isNull();
  }
}
