package batcycle.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.Futures;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RestartableOrigin;
import batcycle.testing.RestartableOrigin.Stop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app is stopped and started again on the same port while a steady load of GETs and of POSTs without an
 * Idempotency-Key goes through batcycle, once killed (every connection reset) and once shut down cleanly.
 *
 * <p>What must hold, from the app's own count of arrivals per request id: no POST reached the app twice; every
 * POST either succeeded (and reached it exactly once) or got a 502/503 from batcycle, never a silent loss; and
 * every GET succeeded. The GET claim is exact because the outage is shorter than the retry window: with 5
 * attempts, a 250 ms base back-off doubling each time and jitter of ±50 %, the four waits add up to at least
 * 125 + 250 + 500 + 1000 = 1875 ms, and the app is down for about {@value #GAP_MS} ms plus a rebind (asserted
 * below 1875 ms). The breaker is off and the retry budget is wide because both are meant to give up under a
 * longer outage (BreakerIT, RetryIT); here they would only make "could succeed by retry" depend on timing.
 */
class UpstreamRestartIT {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamRestartIT.class);
  private static final long GAP_MS = 300;
  private static final long MIN_RETRY_WINDOW_MS = 1875;
  private static final int RATE = 300;
  private static final int MAX_REQUESTS = 6_000;
  private static final int MAX_IN_FLIGHT = 128;
  private static final int SETTLED = 300;
  private static final Duration BOUND = Duration.ofSeconds(60);

  private RestartableOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private SteadyLoad load;

  @AfterEach
  void closeAll() {
    if (load != null) {
      load.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Stop.class)
  void noPostArrivesTwiceAndEveryGetSucceedsAcrossAnAppRestart(Stop how) throws Exception {
    origin = proxy.closesAfter(RestartableOrigin.start(how, 20));
    proxy.start(ProxyHarness.forUpstream(origin.port()).with(Key.RETRY_MAX_ATTEMPTS, "5")
        .with(Key.RETRY_BACKOFF_BASE, "250ms").with(Key.RETRY_BACKOFF_MAX, "4s").with(Key.RETRY_BUDGET_RATIO, "1")
        .with(Key.BREAKER_ENABLED, "false"));
    load = new SteadyLoad(proxy.uri("/"), RATE, MAX_REQUESTS, MAX_IN_FLIGHT, BOUND);
    await().atMost(Duration.ofSeconds(30)).until(() -> load.completed() >= SETTLED);

    long down = System.nanoTime();
    Futures.await(origin.stop()
        .compose(v -> origin.vertx().timer(GAP_MS))
        .compose(v -> origin.restart()));
    long gapMs = (System.nanoTime() - down) / 1_000_000;
    int issuedAtRestart = load.issued();
    assertThat(gapMs).as("the outage must be shorter than the retry window for the GET claim to hold")
        .isLessThan(MIN_RETRY_WINDOW_MS);

    // Keep the load on after the restart, so requests that were retrying and new ones both meet the new app.
    await().atMost(Duration.ofSeconds(30)).until(() -> load.completed() >= issuedAtRestart + SETTLED);
    load.stop();
    await().atMost(Duration.ofSeconds(60)).until(load::finished);

    List<SteadyLoad.Result> results = load.results();
    List<SteadyLoad.Result> posts = results.stream().filter(r -> r.method().equals("POST")).toList();
    List<SteadyLoad.Result> gets = results.stream().filter(r -> r.method().equals("GET")).toList();
    String exposition = proxy.admin("/metrics").body();
    double retries = batcycle.testing.PrometheusText.value(exposition, "batcycle_retries_total");
    LOG.info("{} restart: {} requests ({} GET, {} POST, {} ticks skipped at the in-flight cap), outage {} ms;"
            + " client saw GET {} and POST {}; retries {} by reason {}; skipped retries {}",
        how, results.size(), gets.size(), posts.size(), load.skipped(), gapMs, statuses(gets), statuses(posts),
        retries, byLabel(exposition, "batcycle_retries_total", "reason"),
        byLabel(exposition, "batcycle_retry_skipped_total", "reason"));

    assertThat(retries).as("the outage was seen: some attempt failed and was retried").isPositive();
    for (SteadyLoad.Result post : posts) {
      int arrived = origin.arrivals(post.id());
      assertThat(arrived).as("arrivals of %s at the app", post).isLessThanOrEqualTo(1);
      if (post.status() == 200) {
        assertThat(arrived).as("a successful POST reached the app once: %s", post).isEqualTo(1);
        assertThat(post.body()).isEqualTo("ok " + post.id());
      } else {
        assertThat(post.status()).as("a failed POST gets an answer from batcycle: %s", post).isIn(502, 503);
      }
    }
    assertThat(gets).as("GETs that failed").filteredOn(get -> get.status() != 200).isEmpty();
    assertThat(gets).allSatisfy(get -> assertThat(get.body()).isEqualTo("ok " + get.id()));
  }

  private static Map<String, Long> statuses(List<SteadyLoad.Result> results) {
    return results.stream().collect(Collectors.groupingBy(
        r -> r.error() == null ? Integer.toString(r.status()) : r.error(), java.util.TreeMap::new,
        Collectors.counting()));
  }

  private static Map<String, String> byLabel(String exposition, String name, String label) {
    return batcycle.testing.PrometheusText.samples(exposition, name).stream().collect(Collectors.toMap(
        line -> line.replaceAll(".*" + label + "=\"([^\"]*)\".*", "$1"),
        line -> line.substring(line.lastIndexOf(' ') + 1), (a, b) -> a, java.util.TreeMap::new));
  }
}
