package batcycle.deadline;

import static org.assertj.core.api.Assertions.assertThat;

import batcycle.config.BatcycleConfig;
import batcycle.config.Key;
import batcycle.pipeline.Exchange;
import batcycle.pipeline.UpstreamResponse;
import batcycle.testing.FakeExchanges.Response;
import batcycle.testing.FakeExchanges;
import io.netty.handler.codec.http.HttpMethod;
import io.vertx.core.Future;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadlineLayerTest {
  private static DeadlineLayer layer(String request, String perTry) {
    return new DeadlineLayer(BatcycleConfig.defaults().with(Map.of(Key.TIMEOUTS_REQUEST, request,
        Key.TIMEOUTS_RESPONSE, perTry)).deadline());
  }

  private static Exchange run(DeadlineLayer layer, String... headers) {
    Exchange exchange = FakeExchanges.exchange(HttpMethod.GET, "/", headers);
    Future<UpstreamResponse> ignored = layer.handle(exchange, e -> new Response(200).future());
    return exchange;
  }

  private static long deadlineMs(Exchange exchange) {
    return (exchange.deadlineNanos() - exchange.startNanos()) / 1_000_000;
  }

  @Test
  void setsTheConfiguredDeadlinesCountedFromArrival() {
    Exchange exchange = run(layer("30s", "10s"));
    assertThat(deadlineMs(exchange)).isEqualTo(30_000);
    assertThat(exchange.tryTimeoutMs()).isEqualTo(10_000);
  }

  @Test
  void aClientHeaderShortensBothAndIsNotForwarded() {
    Exchange exchange = run(layer("30s", "10s"), "X-Batcycle-Timeout", "1500ms");
    assertThat(deadlineMs(exchange)).isEqualTo(1500);
    assertThat(exchange.tryTimeoutMs()).isEqualTo(1500);
    assertThat(exchange.headers().contains("x-batcycle-timeout")).isFalse();
  }

  @Test
  void aClientHeaderNeverLengthensThem() {
    Exchange exchange = run(layer("30s", "10s"), "X-Batcycle-Timeout", "120s");
    assertThat(deadlineMs(exchange)).isEqualTo(30_000);
    assertThat(exchange.tryTimeoutMs()).isEqualTo(10_000);
    Exchange between = run(layer("30s", "10s"), "X-Batcycle-Timeout", "20000");
    assertThat(deadlineMs(between)).isEqualTo(20_000);
    assertThat(between.tryTimeoutMs()).as("per try stays the shorter").isEqualTo(10_000);
  }

  @Test
  void withoutAConfiguredDeadlineTheHeaderSetsOne() {
    Exchange none = run(layer("0", "10s"));
    assertThat(none.deadlineNanos()).isZero();
    Exchange shortened = run(layer("0", "10s"), "X-Batcycle-Timeout", "2s");
    assertThat(deadlineMs(shortened)).isEqualTo(2000);
  }

  @Test
  void anUnreadableHeaderIsIgnoredAndStillStripped() {
    Exchange exchange = run(layer("30s", "10s"), "X-Batcycle-Timeout", "soon");
    assertThat(deadlineMs(exchange)).isEqualTo(30_000);
    assertThat(exchange.headers().contains("x-batcycle-timeout")).isFalse();
  }

  @Test
  void readsMillisecondsSecondsAndPlainNumbers() {
    assertThat(TimeoutHeader.parseMillis("1500ms")).isEqualTo(1500);
    assertThat(TimeoutHeader.parseMillis("2s")).isEqualTo(2000);
    assertThat(TimeoutHeader.parseMillis(" 250 ")).isEqualTo(250);
    assertThat(TimeoutHeader.parseMillis("0")).isEqualTo(-1);
    assertThat(TimeoutHeader.parseMillis("-5")).isEqualTo(-1);
    assertThat(TimeoutHeader.parseMillis("1.5s")).isEqualTo(-1);
    assertThat(TimeoutHeader.parseMillis("1m")).isEqualTo(-1);
    assertThat(TimeoutHeader.parseMillis(null)).isEqualTo(-1);
  }
}
