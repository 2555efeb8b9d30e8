package batcycle.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.Key;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RecordingOrigin;
import batcycle.testing.TestDnsServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A remote with several addresses: names resolved through a DNS server of the test (TTL honoured, changes
 * followed), requests balanced over the addresses, an address that keeps failing ejected for a while, and retries
 * going to another address.
 */
class DnsBalancingIT {
  private final TestDnsServer dns = TestDnsServer.start();
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();


  {
    proxy.closesAfter(dns);
  }

  @Test
  void resolvesTheNameAndFollowsANewAnswerOnceItsTtlRunsOut() {
    RecordingOrigin first = origin("127.0.0.1", 0, "first");
    RecordingOrigin second = origin("127.0.0.2", first.port(), "second");
    dns.answer("svc.test", 1, "127.0.0.1");
    proxy.start(outbound("http://svc.test:" + first.port(), ""));

    HttpResponse<String> response = proxy.outbound("svc", "/a");
    assertThat(response.body()).isEqualTo("first");
    assertThat(first.last().header("host")).isEqualTo("svc.test:" + first.port());

    dns.answer("svc.test", 1, "127.0.0.2");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(proxy.outbound("svc", "/b").body()).isEqualTo("second"));
    assertThat(dns.questions("svc.test")).as("asked again after the TTL").isGreaterThanOrEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"least_request", "power_of_two"})
  void spreadsRequestsOverEveryAddressOfTheName(String balancer) {
    RecordingOrigin first = origin("127.0.0.1", 0, "first");
    RecordingOrigin second = origin("127.0.0.2", first.port(), "second");
    dns.answer("svc.test", 60, "127.0.0.1", "127.0.0.2");
    proxy.start(outbound("http://svc.test:" + first.port(), "balancer: " + balancer));

    for (int i = 0; i < 30; i++) {
      assertThat(proxy.outbound("svc", "/n").statusCode()).isEqualTo(200);
    }

    assertThat(first.received()).isNotEmpty();
    assertThat(second.received()).isNotEmpty();
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_upstream_endpoints", "upstream", "svc",
        "state", "healthy")).isEqualTo(2.0));
  }

  @Test
  void anAddressThatKeepsFailingIsEjectedAndRetriesPreferAnotherAddress() {
    RecordingOrigin good1 = origin("127.0.0.1", 0, "good");
    RecordingOrigin good2 = origin("127.0.0.1", 0, "good");
    AtomicBoolean failing = new AtomicBoolean(true);
    RecordingOrigin bad = RecordingOrigin.start((request, body) -> request.response()
        .setStatusCode(failing.get() ? 503 : 200).end(failing.get() ? "down" : "back"));
    proxy.closesAfter(bad);
    proxy.start(outbound(List.of(good1.port(), good2.port(), bad.port()).stream().map(p -> "http://127.0.0.1:" + p)
        .toList().toString(), "outlier: {consecutiveFailures: 2, ejectionTime: 1s}"));

    for (int i = 0; i < 30; i++) {
      assertThat(proxy.outbound("svc", "/n").statusCode()).as("a retry goes to another address").isEqualTo(200);
    }

    assertThat(bad.arrivals()).as("two failures in a row eject it").isEqualTo(2);
    await().untilAsserted(() -> {
      assertThat(proxy.metric("batcycle_upstream_ejections_total", "upstream", "svc")).isEqualTo(1.0);
      assertThat(proxy.metric("batcycle_retries_total", "upstream", "svc", "reason", "status")).isEqualTo(2.0);
    });
    failing.set(false);
    // After its ejection time the address is back in rotation, and answers again.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      proxy.outbound("svc", "/later");
      assertThat(bad.received().stream().filter(r -> r.uri().equals("/later"))).isNotEmpty();
    });
  }

  @Test
  void anAddressThatRefusesConnectionsIsEjectedButTheLastAddressNeverIs() throws Exception {
    RecordingOrigin good = origin("127.0.0.1", 0, "good");
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    proxy.start(outbound("[http://127.0.0.1:" + good.port() + ", http://127.0.0.1:" + closed + "]",
        "outlier: {consecutiveFailures: 1, ejectionTime: 1h}"));

    for (int i = 0; i < 10; i++) {
      assertThat(proxy.outbound("svc", "/n").statusCode()).isEqualTo(200);
    }
    await().untilAsserted(() -> assertThat(proxy.metric("batcycle_upstream_endpoints", "upstream", "svc",
        "state", "ejected")).isEqualTo(1.0));
    good.close();
    // Both down now: the good one fails too, yet it stays in rotation, and the client gets a plain 502.
    HttpResponse<String> response = proxy.outbound("svc", "/n");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(proxy.metric("batcycle_upstream_endpoints", "upstream", "svc", "state", "healthy")).isEqualTo(1.0);
    assertThat(proxy.metric("batcycle_upstream_endpoints", "upstream", "svc", "state", "ejected")).isEqualTo(1.0);
  }

  @Test
  void aNameThatDoesNotResolveFailsFastAndWorksOnceItDoes() {
    RecordingOrigin remote = origin("127.0.0.1", 0, "late");
    proxy.start(outbound("http://late.test:" + remote.port(), ""));

    HttpResponse<String> failed = proxy.outbound("svc", "/a");
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.headers().firstValue("x-batcycle-error")).contains("upstream_connect_failure");
    assertThat(failed.body()).contains("cannot resolve late.test");

    dns.answer("late.test", 1, "127.0.0.1");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(proxy.outbound("svc", "/b").body()).isEqualTo("late"));
  }

  private RecordingOrigin origin(String host, int port, String name) {
    RecordingOrigin origin = RecordingOrigin.start(host, port, new HttpServerOptions(),
        (request, body) -> request.response().end(name));
    proxy.closesAfter(origin);
    return origin;
  }

  /** The settings of a proxy with one outbound entry to {@code upstream}; {@code settings} are the entry's own. */
  private ProxyHarness.Builder outbound(String upstream, String settings) {
    return ProxyHarness.forUpstream(1).with(Key.DNS_SERVERS, dns.address()).with(Key.DNS_MIN_TTL, "200ms")
        .with(Key.DNS_MAX_TTL, "1s").yaml("""
        outbound:
          - name: svc
            listen: 127.0.0.1:0
            upstream: %s
            %s
        """.formatted(upstream, settings));
  }
}
